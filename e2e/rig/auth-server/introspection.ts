// The rig's introspection extension: is this access token good for that resource, and as whom may the
// caller's login user act with it. Every server of the rig validates tokens through this.
import { jwtVerify, type JWTPayload } from "jose";
import { ACCEPTED_AUDIENCES, type IntrospectionResource } from "./audiences";
import { mayOpenMailbox } from "./identities";
import type { AuthServerContext } from "./server-context";
import { ISSUED_ACCESS_TOKENS } from "./token-store";

export type Introspection = { active: false } | ({ active: true; username: string } & Record<string, unknown>);

const INACTIVE = { active: false } as const;

export function isIntrospectionResource(value: string): value is IntrospectionResource {
  return Object.hasOwn(ACCEPTED_AUDIENCES, value);
}

export async function introspect(
  server: AuthServerContext,
  token: string,
  resource: IntrospectionResource,
  loginUser?: string,
): Promise<Introspection> {
  if (!token || !isIntrospectionResource(resource)) return INACTIVE;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, server.keys.verificationKeys(), {
      issuer: server.issuer,
      algorithms: ["RS256"],
      typ: "JWT",
      requiredClaims: ["exp", "jti"],
    }));
  } catch {
    return INACTIVE;
  }

  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (
    !audiences.some(
      (aud) => typeof aud === "string" && (ACCEPTED_AUDIENCES[resource] as readonly string[]).includes(aud),
    )
  ) {
    return INACTIVE;
  }

  // Revoked tokens are gone from the store even though their signature still verifies.
  const jti = String(payload.jti);
  const stored = server.store.get(ISSUED_ACCESS_TOKENS, jti);
  if (!stored) return INACTIVE;
  if (typeof stored.grantId === "string" && !server.store.get("Grant", stored.grantId)) return INACTIVE;

  const tokenUser = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
  const clientId = typeof payload.client_id === "string" ? payload.client_id : undefined;
  const requested = loginUser?.trim().toLowerCase() || undefined;
  let username: string;
  if (!tokenUser) username = requested ?? clientId ?? "";
  else if (requested && mayOpenMailbox(tokenUser, requested)) username = requested;
  else username = tokenUser;

  return {
    active: true,
    username,
    sub: payload.sub,
    aud: payload.aud,
    scope: payload.scope ?? "",
    exp: payload.exp,
    iat: payload.iat,
    client_id: clientId,
    token_type: "Bearer",
    ...(tokenUser ? { email: tokenUser } : { app_only: true }),
  };
}
