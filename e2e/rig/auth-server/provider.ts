// Builds the oidc-provider instance of the rig: clients, accounts, JWT access tokens whose audience follows
// the requested scopes, PKCE, refresh-token rotation, the extra grants, and the rig's own routes in front.
import Provider, {
  errors,
  type ClientModel,
  type KoaContextWithOIDC,
  type ResourceServerInfo,
  type TokenModel,
} from "oidc-provider";
import {
  AUDIENCES,
  audienceOfScope,
  audienceOfScopes,
  isAudience,
  MixedResourcesError,
  OIDC_SCOPES,
  resourceScopes,
  splitScope,
} from "./audiences";
import { authorizeEndpoint } from "./authorize-endpoint";
import { findUser, type ClientRegistration } from "./identities";
import { interactionRoutes } from "./interactions";
import { registerJwtBearerGrant } from "./jwt-bearer-grant";
import { registerPasswordGrant } from "./password-grant";
import { renderErrorPage } from "./pages";
import { rigRoutes } from "./rig-routes";
import { ROUTES, type AuthServerContext } from "./server-context";
import { tokenEndpoint } from "./token-endpoint";
import { ISSUED_ACCESS_TOKENS } from "./token-store";

export function buildProvider(server: AuthServerContext): Provider {
  const provider = new Provider(server.issuer, {
    clients: Object.values(server.identities.clients).map(clientMetadata),
    adapter: server.store.adapterClass(),
    jwks: server.keys.privateJwks(),
    cookies: { keys: server.cookieKeys },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => accountOf(server, sub),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
    scopes: OIDC_SCOPES,
    extraParams: ["rig_offline", "rig_style"],
    routes: {
      authorization: ROUTES.authorize,
      token: ROUTES.token,
      revocation: ROUTES.revocation,
      jwks: ROUTES.jwks,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx: KoaContextWithOIDC, _client: ClientModel, oneOf?: string[]) =>
          defaultResource(ctx, oneOf),
        getResourceServerInfo: (ctx: KoaContextWithOIDC, resource: string, client: ClientModel) =>
          resourceServerInfo(server, ctx, resource, client),
        useGrantedResource: () => true,
      },
    },
    formats: {
      customizers: {
        // Microsoft and Google access tokens say typ "JWT", not RFC 9068's "at+jwt".
        jwt: (_ctx: KoaContextWithOIDC, _token: TokenModel, jwt: { header?: Record<string, unknown> }) => {
          jwt.header = { ...jwt.header, typ: "JWT" };
        },
      },
    },
    extraTokenClaims: (_ctx: KoaContextWithOIDC, token: TokenModel) => extraTokenClaims(token),
    ttl: {
      AccessToken: (_ctx: unknown, token: TokenModel) => server.control.accessTokenSeconds(token.clientId),
      ClientCredentials: (_ctx: unknown, token: TokenModel) => server.control.accessTokenSeconds(token.clientId),
      RefreshToken: (_ctx: unknown, token: TokenModel) => server.control.refreshTokenSeconds(token.clientId),
      AuthorizationCode: 120,
      Grant: 30 * 24 * 3600,
      Session: 24 * 3600,
      Interaction: 3600,
      IdToken: 3600,
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    // Tokens outlive the browser session at the sign-in page, as at Microsoft and Google.
    expiresWithSession: () => false,
    issueRefreshToken: (ctx: KoaContextWithOIDC, client: ClientModel, code: TokenModel) => {
      if (!client.grantTypeAllowed("refresh_token")) return false;
      const grant = ctx.oidc.entities.Grant;
      return code.scopes.has("offline_access") || Boolean(grant?.getOIDCScope().split(" ").includes("offline_access"));
    },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `${ROUTES.interaction}/${interaction.uid}`,
    },
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) =>
      renderErrorPage(ctx, out),
    clientBasedCORS: () => false,
  });

  allowPublicTokenUrlAsAssertionAudience(provider);
  registerPasswordGrant(provider, server);
  registerJwtBearerGrant(provider, server);
  for (const event of ["access_token.issued", "client_credentials.issued"] as const) {
    provider.on(event, (token) => {
      server.store.set(
        ISSUED_ACCESS_TOKENS,
        token.jti,
        { kind: token.kind, accountId: token.accountId, clientId: token.clientId, grantId: token.grantId },
        token.expiration,
      );
    });
  }
  for (const event of ["grant.error", "authorization.error", "revocation.error", "server_error"]) {
    provider.on(event, (ctx, error) => {
      ctx.state.rigError = error;
      server.log(`${event}: ${error.error ?? error.message} (${error.error_detail ?? error.error_description ?? ""})`);
    });
  }

  provider.use(rigRoutes(server));
  provider.use(interactionRoutes(server));
  provider.use(authorizeEndpoint(server));
  provider.use(tokenEndpoint(server));
  return provider;
}

function clientMetadata(client: ClientRegistration): Record<string, unknown> {
  const usesBrowser = client.grantTypes.includes("authorization_code");
  return {
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    grant_types: client.grantTypes,
    response_types: usesBrowser ? ["code"] : [],
    redirect_uris: client.redirectUris,
    // "native" makes oidc-provider match loopback redirect URIs on any port (RFC 8252 section 7.3), so
    // http://127.0.0.1:<port>/api/oauth/callback and http://localhost:<port>/api/oauth/callback are accepted for
    // whatever port the console under test listens on; every other host is still refused.
    application_type: "native",
    ...(client.publicJwk ? { jwks: { keys: [client.publicJwk] } } : {}),
  };
}

async function accountOf(server: AuthServerContext, sub: string) {
  const user = findUser(server.identities, sub);
  if (!user) return undefined;
  return {
    accountId: user.username,
    claims: () => ({
      sub: user.username,
      email: user.username,
      email_verified: true,
      preferred_username: user.username,
      name: user.username.split("@")[0],
    }),
  };
}

function defaultResource(ctx: KoaContextWithOIDC, oneOf?: string[]): string | undefined {
  if (oneOf?.length) return oneOf[0];
  const scope = ctx.oidc.params.scope;
  if (typeof scope !== "string") return undefined;
  try {
    return audienceOfScopes(splitScope(scope));
  } catch (error) {
    if (error instanceof MixedResourcesError) throw new errors.InvalidScope(error.message);
    throw error;
  }
}

/** The resource server for an audience; its scopes are those of the request (or grant) that belong to it. */
function resourceServerInfo(
  server: AuthServerContext,
  ctx: KoaContextWithOIDC,
  resource: string,
  client: ClientModel,
): ResourceServerInfo {
  if (!isAudience(resource)) throw new errors.InvalidTarget(`unknown resource ${resource}`);
  const { entities, params } = ctx.oidc;
  const candidates = [
    ...splitScope(typeof params.scope === "string" ? params.scope : undefined),
    ...splitScope(entities.AuthorizationCode?.scope),
    ...splitScope(entities.RefreshToken?.scope),
  ];
  const scopes = [...new Set(resourceScopes(candidates).filter((scope) => audienceOfScope(scope) === resource))];
  return {
    scope: scopes.join(" "),
    audience: resource,
    accessTokenFormat: "jwt",
    accessTokenTTL: server.control.accessTokenSeconds(client.clientId),
    jwt: { sign: { alg: "RS256", kid: server.keys.current.kid } },
  };
}

const APP_ROLES: Record<string, string[]> = {
  [AUDIENCES.outlook]: ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp", "full_access_as_app"],
  [AUDIENCES.graph]: ["Mail.ReadWrite", "Mail.Send"],
  [AUDIENCES.gmail]: ["mail"],
  [AUDIENCES.rigMail]: ["mail"],
};

function extraTokenClaims(token: TokenModel): Record<string, unknown> {
  if (token.accountId) {
    return { email: token.accountId, preferred_username: token.accountId, azp: token.clientId };
  }
  const audience = token.resourceServer?.audience ?? AUDIENCES.rigMail;
  return { roles: APP_ROLES[audience] ?? ["mail"], azp: token.clientId };
}

/**
 * private_key_jwt assertions may name the URL the client actually posted to (e.g. the Microsoft-style token
 * URL), as Microsoft accepts, besides the issuer and the plain token URL.
 */
function allowPublicTokenUrlAsAssertionAudience(provider: Provider): void {
  const prototype = provider.OIDCContext.prototype;
  const original = prototype.clientJwtAuthExpectedAudience;
  prototype.clientJwtAuthExpectedAudience = function expectedAudience() {
    const accepted = original.call(this);
    const publicUrl = this.ctx.state.rigPublicTokenUrl;
    if (typeof publicUrl === "string") accepted.add(publicUrl);
    return accepted;
  };
}
