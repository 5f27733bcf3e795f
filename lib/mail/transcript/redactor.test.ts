import { describe, expect, it } from "vitest";
import { encodedForms, REDACTED, Redactor } from "./redactor";
import { TranscriptRecorder } from "./transcript-recorder";

const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVlLTAxMjM0NTY3ODk";

describe("Redactor", () => {
  it("removes a secret inside any base64 payload, whatever its alignment", () => {
    const redactor = new Redactor(["s3cret-password-value"]);
    for (const prefix of ["", "a", "ab", "abc", "user=x\x01auth=Bearer "]) {
      const payload = Buffer.from(`${prefix}s3cret-password-value\x01\x01`).toString("base64");
      expect(redactor.redact(`S: + ${payload}`)).not.toMatch(
        new RegExp(encodedForms("s3cret-password-value").join("|").replace(/[+/=]/g, "\\$&")),
      );
    }
  });

  it("removes credential arguments of IMAP, POP3, SMTP and HTTP lines", () => {
    const r = new Redactor();
    expect(r.redactClientLine("a1 LOGIN alice@rig.test hunter22")).toBe(`a1 LOGIN alice@rig.test ${REDACTED}`);
    expect(r.redactClientLine('a1 LOGIN "alice" "pa ss"')).toBe(`a1 LOGIN "alice" ${REDACTED}`);
    expect(r.redactClientLine("a2 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZQ==")).toBe(`a2 AUTHENTICATE XOAUTH2 ${REDACTED}`);
    expect(r.redactClientLine("PASS hunter22")).toBe(`PASS ${REDACTED}`);
    expect(r.redactClientLine("AUTH PLAIN AGFsaWNlAGh1bnRlcg==")).toBe(`AUTH PLAIN ${REDACTED}`);
    expect(r.redactClientLine("Authorization: Bearer abc.def")).toBe(`Authorization: ${REDACTED}`);
    expect(r.redactClientLine("grant_type=refresh_token&refresh_token=0.AAA&client_secret=xyz")).not.toMatch(
      /0\.AAA|xyz/,
    );
    expect(r.redact(`token ${token} here`)).toBe(`token ${REDACTED} here`);
  });
});

describe("TranscriptRecorder", () => {
  it("hides the client line after an AUTH challenge and secrets registered late", () => {
    const t = new TranscriptRecorder();
    t.client("AUTH XOAUTH2");
    t.server("+ ");
    t.client("dXNlcj1hbGljZQFhdXRoPUJlYXJlciBzZWNyZXQBAQ==");
    t.server("+OK User successfully authenticated.");
    t.note("later the token opaque-token-123456 shows up");
    t.addSecret("opaque-token-123456");
    const text = t.text();
    expect(text).toMatch(/C: AUTH XOAUTH2\n.*S: \+ \n.*C: \[redacted\]/s);
    expect(text).not.toContain("dXNlcj1hbGljZQ");
    expect(text).not.toContain("opaque-token-123456");
  });

  it("is bounded in line length and total size", () => {
    const t = new TranscriptRecorder({ maxBytes: 2000, maxLineChars: 50 });
    for (let i = 0; i < 200; i++) t.server(`* ${i} FETCH ${"x".repeat(200)}`);
    const text = t.text();
    expect(text.length).toBeLessThan(2200);
    expect(text).toMatch(/more characters/);
    expect(text).toMatch(/transcript limit reached/);
  });
});
