// Mail names with hidden characters, sanitized links and the preview frame document.
import { describe, expect, it } from "vitest";
import { hasHiddenCharacters, previewFrameDocument, sanitizeMailHtml, visibleName } from "./index";

describe("visibleName", () => {
  it("shows a right-to-left override, so the real extension can be read", () => {
    const name = "invoice\u202Efdp.exe";
    expect(visibleName(name)).toBe("invoice⟨U+202E⟩fdp.exe");
    expect(visibleName(name)).toMatch(/\.exe$/);
    expect(hasHiddenCharacters(name)).toBe(true);
  });

  it("marks every bidi control, zero-width and other invisible format character", () => {
    const controls = [
      "\u202A",
      "\u202B",
      "\u202C",
      "\u202D",
      "\u202E",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
      "\u200E",
      "\u200F",
      "\u061C",
      "\u200B",
      "\u2060",
      "\uFEFF",
      "\u00AD",
      "\u2028",
      "\u0007",
    ];
    for (const ch of controls) {
      const shown = visibleName(`a${ch}b`);
      expect(shown, `U+${ch.codePointAt(0)!.toString(16)}`).toMatch(/^a⟨U\+[0-9A-F]{4}⟩b$/);
    }
  });

  it("leaves ordinary text, accents, right-to-left scripts and emoji sequences alone", () => {
    for (const text of ["Rechnung März 2026.pdf", "שלום עולם", "مرحبا", "👩‍💻 team", "Re: [ticket #42]"]) {
      expect(visibleName(text)).toBe(text);
      expect(hasHiddenCharacters(text)).toBe(false);
    }
  });
});

describe("sanitizeMailHtml", () => {
  it("keeps the link's real target and makes it open outside without opener", () => {
    const html = sanitizeMailHtml(
      '<a href="https://evil.example/login" target="_self" rel="opener" title="PayPal">https://www.paypal.com</a>',
    );
    expect(html).toContain('href="https://evil.example/login"');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('title="https://evil.example/login"');
    expect(html).toContain('data-target="evil.example"');
    expect(html).toMatch(/https:\/\/www\.paypal\.com<\/a><span class="link-target">⟨evil\.example⟩<\/span>/);
    expect(html).not.toContain("_self");
    expect(html).not.toContain("PayPal");
  });

  it("shows a look-alike domain in punycode and a mailto link's address", () => {
    expect(sanitizeMailHtml('<a href="https://pаypal.com/">x</a>')).toContain('data-target="xn--pypal-4ve.com"');
    expect(sanitizeMailHtml('<a href="mailto:boss@evil.example">Boss</a>')).toContain(
      'data-target="boss@evil.example"',
    );
  });

  it("shows each link's target after it, nested or not, and none for a link whose target was removed", () => {
    const html = sanitizeMailHtml(
      '<p><a href="https://a.example/"><b>one</b></a> and <a href="javascript:x()">bad</a> and <a href="https://b.example/x?q=&quot;1&quot;">two</a></p>',
    );
    expect(html).toContain('<b>one</b></a><span class="link-target">⟨a.example⟩</span>');
    expect(html).toContain("<a>bad</a> and");
    expect(html).toContain('two</a><span class="link-target">⟨b.example⟩</span>');
  });

  it("a link target cannot smuggle markup", () => {
    const html = sanitizeMailHtml('<a href="mailto:&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@x.example">m</a>');
    expect(html).not.toMatch(/<img|<span[^>]*onerror/);
    expect(html).toContain("⟨&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@x.example⟩</span>");
  });

  it("drops scripts, handlers, remote images, forms and unsafe links", () => {
    const html = sanitizeMailHtml(
      '<p onclick="x()">hi</p><script>1</script><img src="https://t.example/p.gif"><form action="https://x"><input></form><a href="javascript:alert(1)">j</a><a href="data:text/html,x">d</a>',
    );
    expect(html).not.toMatch(/script|onclick|t\.example|form|input|javascript:|data:text/);
    expect(html).toContain("<p>hi</p>");
  });
});

describe("previewFrameDocument", () => {
  it("wraps the safe HTML with a CSP, a blank base target and no referrer", () => {
    const doc = previewFrameDocument("<p>x</p>");
    expect(doc).toContain('<base target="_blank">');
    expect(doc).toMatch(/Content-Security-Policy" content="default-src 'none'; img-src data:/);
    expect(doc).toContain('content="no-referrer"');
    expect(doc).toContain("<p>x</p>");
  });
});
