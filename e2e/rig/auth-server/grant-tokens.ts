// Issuing tokens for the grants the rig adds to oidc-provider (password, JWT bearer): a Grant record, a JWT
// access token with the same claims as every other grant's, and a refresh token when offline access is asked.
import { errors, type KoaContextWithOIDC, type Provider } from "oidc-provider";
import { audienceOfScope, audienceOfScopes, MixedResourcesError, OIDC_SCOPES, resourceScopes } from "./audiences";
import type { AuthServerContext } from "./server-context";

export async function issueUserTokens(
  provider: Provider,
  server: AuthServerContext,
  ctx: KoaContextWithOIDC,
  opts: { accountId: string; scopes: string[]; gty: string; allowRefreshToken: boolean },
): Promise<Record<string, unknown>> {
  const client = ctx.oidc.client;
  if (!client) throw new errors.InvalidRequest("client is not known");
  let resource: string;
  try {
    resource = audienceOfScopes(opts.scopes);
  } catch (error) {
    if (error instanceof MixedResourcesError) throw new errors.InvalidScope(error.message);
    throw error;
  }
  const oidcScopes = opts.scopes.filter((scope) => OIDC_SCOPES.includes(scope));
  const tokenScopes = resourceScopes(opts.scopes).filter((scope) => audienceOfScope(scope) === resource);

  const registration = Object.values(server.identities.clients).find(
    (candidate) => candidate.clientId === client.clientId,
  );
  const grant = new provider.Grant({ accountId: opts.accountId, clientId: client.clientId });
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(" "));
  if (tokenScopes.length) grant.addResourceScope(resource, tokenScopes.join(" "));
  const grantId = await grant.save();

  const accessToken = new provider.AccessToken({ accountId: opts.accountId, client, grantId, gty: opts.gty });
  accessToken.resourceServer = new provider.ResourceServer(resource, {
    scope: tokenScopes.join(" "),
    audience: resource,
    accessTokenFormat: "jwt",
    accessTokenTTL: server.control.accessTokenSeconds(client.clientId),
    jwt: { sign: { alg: "RS256", kid: server.keys.current.kid } },
  });
  accessToken.scope = tokenScopes.join(" ") || undefined;
  const accessTokenValue = await accessToken.save();

  let refreshTokenValue: string | undefined;
  if (opts.allowRefreshToken && oidcScopes.includes("offline_access") && client.grantTypeAllowed("refresh_token")) {
    const refreshToken = new provider.RefreshToken({
      accountId: opts.accountId,
      client,
      grantId,
      gty: opts.gty,
      resource,
      rotations: 0,
      scope: [
        ...(registration?.narrowRefreshScope ? oidcScopes.filter((scope) => scope !== "offline_access") : oidcScopes),
        ...tokenScopes,
      ].join(" "),
    });
    refreshTokenValue = await refreshToken.save();
  }

  return {
    access_token: accessTokenValue,
    token_type: accessToken.tokenType,
    expires_in: accessToken.expiration,
    scope: [...tokenScopes, ...(refreshTokenValue ? ["offline_access"] : [])].join(" ") || undefined,
    ...(refreshTokenValue ? { refresh_token: refreshTokenValue } : {}),
  };
}
