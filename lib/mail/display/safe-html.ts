// Mail HTML made safe to show: no scripts, event handlers, styles, forms or remote images (a remote image tells
// the sender the mail was opened; only inline data: images stay). Every link shows its real target as text
// right after it (so "paypal.com" pointing elsewhere is obvious, whatever styles apply) and in its title, and
// opens outside the console in a new tab without opener or referrer.
import sanitizeHtml from "sanitize-html";

export const MAX_SAFE_HTML_INPUT = 200_000;

/** What the link really points to, as shown: the host (punycode, so look-alike domains show as xn--) or the mail address. */
export function linkTarget(href: string): string {
  try {
    const url = new URL(href);
    if (url.protocol === "mailto:") return url.pathname;
    return url.host;
  } catch {
    return href;
  }
}

/** A link's target after it, as text: `<a …>paypal.com</a><span class="link-target">⟨evil.example⟩</span>`. */
function showLinkTargets(safeHtml: string): string {
  // Only sanitized output comes here: every "<a" and "</a>" in it is a tag, attribute values are escaped.
  const open: (string | null)[] = [];
  return safeHtml.replace(/<a(\s[^>]*)?>|<\/a>/g, (tag, attributes: string | undefined) => {
    if (tag !== "</a>") {
      open.push(/\sdata-target="([^"]*)"/.exec(attributes ?? "")?.[1] ?? null);
      return tag;
    }
    const target = open.pop();
    return target ? `</a><span class="link-target">⟨${target}⟩</span>` : tag;
  });
}

export function sanitizeMailHtml(html: string): string {
  return showLinkTargets(
    sanitizeHtml(html.slice(0, MAX_SAFE_HTML_INPUT), {
      allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "font", "center"],
      allowedAttributes: {
        a: ["href", "title", "target", "rel", "data-target"],
        img: ["src", "alt", "width", "height"],
        font: ["color", "size"],
        td: ["colspan", "rowspan", "align", "valign"],
        th: ["colspan", "rowspan", "align", "valign"],
        "*": ["dir", "lang"],
      },
      allowedSchemes: ["http", "https", "mailto"],
      allowedSchemesByTag: { img: ["data"] },
      allowProtocolRelative: false,
      transformTags: {
        a: (tagName, attribs) => {
          const href = attribs.href?.trim() ?? "";
          const safe = /^(https?:|mailto:)/i.test(href);
          // The mail's own target, rel and title are replaced: the title shows where the link really goes.
          const attributes: Record<string, string> = safe
            ? {
                href,
                title: href,
                target: "_blank",
                rel: "noopener noreferrer nofollow",
                "data-target": linkTarget(href),
              }
            : {};
          return { tagName, attribs: attributes };
        },
      },
    }),
  );
}
