// The rig's userinfo endpoint (OpenID Connect Core 5.3), listed in its discovery document: who a user's access
// token belongs to, for a client that got no ID token. oidc-provider's own endpoint refuses access tokens
// issued for a resource server (every mail token here), so the rig answers itself, for any active user token,
// as providers that issue userinfo for OAuth-only grants do.
import { jwtVerify } from "jose";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { AuthServerContext } from "./server-context";
import { ISSUED_ACCESS_TOKENS } from "./token-store";

export async function userinfoRoute(server: AuthServerContext, ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set("cache-control", "no-store");
  const token = /^Bearer (\S+)$/i.exec(ctx.get("authorization"))?.[1] ?? "";
  const refuse = (error: string) => {
    ctx.status = 401;
    ctx.set("www-authenticate", `Bearer error="${error}"`);
    ctx.body = { error };
  };
  if (ctx.method !== "GET" && ctx.method !== "POST") return refuse("invalid_request");
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, server.keys.verificationKeys(), {
      issuer: server.issuer,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "jti", "sub"],
    }));
  } catch {
    return refuse("invalid_token");
  }
  const stored = server.store.get(ISSUED_ACCESS_TOKENS, String(payload.jti));
  if (!stored || typeof stored.accountId !== "string") return refuse("invalid_token");
  if (typeof stored.grantId === "string" && !server.store.get("Grant", stored.grantId)) return refuse("invalid_token");
  const user = stored.accountId;
  ctx.status = 200;
  ctx.body = { sub: user, email: user, email_verified: true, preferred_username: user, name: user.split("@")[0] };
}
