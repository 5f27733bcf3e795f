import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { newNonce, securityHeaders } from "./security-headers";

describe("security headers", () => {
  afterEach(() => {
    delete process.env.MAILBRIDGE_PUBLIC_URL;
    resetConfigForTests();
  });

  it("HSTS only when the console is served over https", () => {
    process.env.MAILBRIDGE_PUBLIC_URL = "https://mail.example.com";
    resetConfigForTests();
    expect(securityHeaders(newNonce())["Strict-Transport-Security"]).toMatch(/^max-age=\d{7,}/);
    process.env.MAILBRIDGE_PUBLIC_URL = "http://localhost:3000";
    resetConfigForTests();
    expect(securityHeaders(newNonce())["Strict-Transport-Security"]).toBeUndefined();
  });

  it("a policy with this response's nonce and a new nonce each time", () => {
    const a = newNonce();
    expect(a).not.toBe(newNonce());
    const csp = securityHeaders(a)["Content-Security-Policy"];
    expect(csp).toContain(`script-src 'self' 'nonce-${a}' 'strict-dynamic'`);
    expect(csp).not.toContain("unsafe-eval");
  });

  it("nonces of 18 random bytes, none repeated across refills of the random pool", () => {
    const nonces = Array.from({ length: 1000 }, newNonce);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(18);
    expect(new Set(nonces).size).toBe(nonces.length);
  });
});

describe("the OAuth callback's popup page", () => {
  it("gets the same policy: its inline script runs by the request's nonce, nothing is loosened", () => {
    const nonce = newNonce();
    const csp = securityHeaders(nonce)["Content-Security-Policy"];
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});
