import "server-only";
// Who consented, when the token response carries no ID token (no `openid` scope, or a provider that returns
// none): the provider's userinfo endpoint, named by its OpenID discovery document. Microsoft is never asked:
// its userinfo is Graph's, which an IMAP, POP or SMTP token cannot call. Every failure means "not known".
import { withDeadline } from "@/lib/net";
import { discoverMetadata } from "./discovery";
import { outboundFetch } from "./outbound-fetch";
import { signedInIdentity } from "./consent-identity";
import { isLoopback } from "./token-request";

const USERINFO_DEADLINE_MS = 8_000;
const MAX_USERINFO_BYTES = 64 * 1024;

type App = { preset: string; issuer: string | null };

/** The userinfo endpoint of a provider whose issuer is configured, or null (none listed, or no answer). */
async function userinfoEndpoint(app: App): Promise<string | null> {
  if (app.preset.startsWith("microsoft") || !app.issuer) return null;
  try {
    const endpoint = (await discoverMetadata(app.issuer)).userinfo_endpoint;
    return typeof endpoint === "string" && endpoint ? endpoint : null;
  } catch {
    return null;
  }
}

/** The body, read up to `max` bytes; null when longer. */
async function boundedText(res: Response, max: number): Promise<string | null> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The account the access token belongs to, as the provider's userinfo endpoint names it; null when not known. */
export async function userinfoIdentity(app: App, accessToken: string): Promise<string | null> {
  try {
    return await withDeadline(USERINFO_DEADLINE_MS, "Reading the user information", async (signal) => {
      const endpoint = await userinfoEndpoint(app);
      if (!endpoint) return null;
      const url = new URL(endpoint);
      // The same rule as the issuer's: https, or plain http to this machine only (the test rig).
      if (url.protocol !== "https:" && !isLoopback(url)) return null;
      const res = await outboundFetch()(url, {
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
        redirect: "error",
        signal,
      });
      if (!res.ok || !/^application\/json\b/i.test(res.headers.get("content-type") ?? "")) {
        await res.body?.cancel();
        return null;
      }
      const text = await boundedText(res, MAX_USERINFO_BYTES);
      if (text === null) return null;
      const claims = JSON.parse(text) as unknown;
      return claims && typeof claims === "object" && !Array.isArray(claims)
        ? signedInIdentity(claims as Record<string, unknown>)
        : null;
    });
  } catch {
    return null;
  }
}
