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
});

describe("the OAuth callback's popup page", () => {
  it("may run its inline script, and nothing else is loosened", () => {
    const csp = securityHeaders(newNonce(), { inlineScript: true })["Content-Security-Policy"];
    expect(csp).toContain("script-src 'unsafe-inline'");
    expect(csp).not.toContain("nonce-");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
  });
});
