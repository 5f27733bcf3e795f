import { decode, getToken } from "next-auth/jwt";
import { config } from "@/lib/config";
import { authSecret } from "./auth-secret";

export type SessionClaims = { userId: string; sessionVersion: number };

// The name Auth.js gives the cookie: "__Secure-" prefixed when the console is served over https.
const secureCookie = () => config().publicUrl.startsWith("https:");
const cookieName = () => `${secureCookie() ? "__Secure-" : ""}authjs.session-token`;

/**
 * Decrypting a session cookie costs a key derivation, an HMAC and an AES pass, and the proxy and the page
 * both ask on every request. A cookie's claims never change, so a decrypted cookie is remembered (by its
 * exact value, under the secret it was decrypted with) until it expires; the user behind it is still
 * checked in the database by the caller.
 */
const MAX_REMEMBERED = 1000;
const remembered = new Map<string, { claims: SessionClaims; expiresAt: number; secret: string }>();

function remember(token: string, entry: { claims: SessionClaims; expiresAt: number; secret: string }) {
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(token, entry);
}

/** Reads the signed-in session straight from the cookie: no Auth.js round trip, no re-issued cookie. */
export async function readSessionToken(headers: Headers): Promise<SessionClaims | null> {
  const raw = await getToken({ req: { headers }, raw: true, secureCookie: secureCookie(), cookieName: cookieName() });
  if (!raw) return null;
  const secret = authSecret();
  const now = Date.now();
  const known = remembered.get(raw);
  if (known && known.secret === secret && known.expiresAt > now) return known.claims;
  let token: { uid?: unknown; sv?: unknown; exp?: unknown } | null = null;
  try {
    token = await decode({ token: raw, secret, salt: cookieName() });
  } catch {
    return null; // not ours, tampered with, or expired
  }
  if (!token || typeof token.uid !== "string" || typeof token.exp !== "number") return null;
  const claims = { userId: token.uid, sessionVersion: typeof token.sv === "number" ? token.sv : -1 };
  remember(raw, { claims, expiresAt: token.exp * 1000, secret });
  return claims;
}
