import { getToken } from "next-auth/jwt";
import { config } from "@/lib/config";
import { authSecret } from "./auth-secret";

export type SessionClaims = { userId: string; sessionVersion: number };

// The name Auth.js gives the cookie: "__Secure-" prefixed when the console is served over https.
const secureCookie = () => config().publicUrl.startsWith("https:");

/**
 * Reads the signed-in session straight from the cookie: one decryption, no Auth.js round trip, no
 * re-issued cookie. Expiry is checked by the decryption; the user behind it is checked by the caller.
 */
export async function readSessionToken(headers: Headers): Promise<SessionClaims | null> {
  const token = await getToken({ req: { headers }, secret: authSecret(), secureCookie: secureCookie(), logger: { error: () => {} } as never });
  if (!token || typeof token.uid !== "string") return null;
  return { userId: token.uid, sessionVersion: typeof token.sv === "number" ? token.sv : -1 };
}
