import { randomFillSync } from "node:crypto";
import { config } from "@/lib/config";

const NONCE_BYTES = 18;
// Random bytes filled a few KB at a time, each slice used for one nonce only (as node:crypto's randomUUID keeps
// its own): one getRandomValues per request, through Next's wrapper of it, was about 0.1 ms of every request.
const POOL_BYTES = NONCE_BYTES * 256;
let pool = Buffer.alloc(0);
let used = 0;

/** A fresh value per response: Next puts it on its own inline scripts when it finds it in the request's CSP. */
export function newNonce(): string {
  if (used + NONCE_BYTES > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  used += NONCE_BYTES;
  return pool.toString("base64", used - NONCE_BYTES, used);
}

/**
 * Scripts only with this response's nonce (and what they load), no plugins, no framing, no foreign base URL.
 * Styles may be inline: React renders style attributes. No form-action: the consent flow leaves the console
 * for the provider by a redirect after a form post, which form-action would stop.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The headers every page and API answer gets: the policy, and HSTS when the console is served over https.
 * Route handlers that write an inline script (the OAuth popup page) take the nonce from the request's policy.
 */
export function securityHeaders(nonce: string): Record<string, string> {
  const headers: Record<string, string> = { "Content-Security-Policy": contentSecurityPolicy(nonce) };
  if (config().publicUrl.startsWith("https:"))
    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  return headers;
}
