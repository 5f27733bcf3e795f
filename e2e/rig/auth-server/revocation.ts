// Revoking grants from the control API: a user's (and/or a client's) grants disappear together with their
// authorization codes, refresh tokens and access tokens, so refresh fails and introspection says inactive.
import { ISSUED_ACCESS_TOKENS, type StoredPayload } from "./token-store";
import type { AuthServerContext } from "./server-context";

const GRANT_SCOPED_MODELS = [ISSUED_ACCESS_TOKENS, "RefreshToken", "AuthorizationCode"];

export function revokeGrants(
  server: AuthServerContext,
  who: { user?: string; clientId?: string },
): { grants: number; tokens: number } {
  const user = who.user?.trim().toLowerCase();
  if (!user && !who.clientId) throw new Error("revoke needs a user, a clientId, or both");
  const matches = (payload: StoredPayload) =>
    (!user || payload.accountId?.toLowerCase() === user) && (!who.clientId || payload.clientId === who.clientId);

  for (const [id] of server.store.find("RefreshToken", matches)) server.control.revokedRefreshTokens.add(id);
  const grantIds = server.store.deleteWhere("Grant", matches);
  let tokens = 0;
  for (const model of GRANT_SCOPED_MODELS) {
    tokens += server.store.deleteWhere(
      model,
      (payload) => matches(payload) || (typeof payload.grantId === "string" && grantIds.includes(payload.grantId)),
    ).length;
  }
  // App-only tokens belong to no user; they go when their client's grants are revoked.
  if (!user && who.clientId) {
    tokens += server.store.deleteWhere(
      ISSUED_ACCESS_TOKENS,
      (payload) => payload.kind === "ClientCredentials" && payload.clientId === who.clientId,
    ).length;
  }
  return { grants: grantIds.length, tokens };
}
