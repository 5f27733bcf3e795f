import "server-only";
import * as client from "openid-client";
import { SignJWT, importPKCS8 } from "jose";
import type { OAuthApplication, OAuthConnection } from "@/lib/db";
import { findOutboundRefusal } from "@/lib/net";
import { outboundFetch } from "./outbound-fetch";
import { refreshScopeAttempts } from "./refresh-scope";

/** Seconds a token request may take: well under the refresh lease (token-service.ts), so a slow answer ends first. */
export const TOKEN_REQUEST_TIMEOUT_S = 20;

export type TokenSet = {
  accessToken: string;
  expiresIn?: number;
  refreshToken?: string;
  refreshTokenExpiresIn?: number;
  scope?: string;
};

export class TokenEndpointError extends Error {
  constructor(
    readonly body: { error: string; error_description?: string; error_codes?: number[] },
    readonly status: number,
  ) {
    super(`${body.error}${body.error_description ? `: ${body.error_description}` : ""}`);
    this.name = "TokenEndpointError";
  }
}

// Plain http is allowed only to this machine (a local authorization server, as in the test rig).
export function isLoopback(url: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

async function clientAuth(app: OAuthApplication): Promise<client.ClientAuth> {
  switch (app.clientAuthMethod) {
    case "client_secret_basic":
      return client.ClientSecretBasic(app.clientSecret ?? "");
    case "private_key_jwt": {
      if (!app.privateKey) throw new Error("private_key_jwt needs a private key");
      const key = await importPKCS8(app.privateKey, "RS256");
      return client.PrivateKeyJwt({ key: key as CryptoKey, kid: app.privateKeyId ?? undefined });
    }
    case "none":
      return client.None();
    default:
      return client.ClientSecretPost(app.clientSecret ?? "");
  }
}

export async function configurationFor(app: OAuthApplication): Promise<client.Configuration> {
  const tokenUrl = new URL(app.tokenUrl);
  const server: client.ServerMetadata = {
    issuer: app.issuer ?? tokenUrl.origin,
    token_endpoint: app.tokenUrl,
    ...(app.revocationUrl ? { revocation_endpoint: app.revocationUrl } : {}),
  };
  const config = new client.Configuration(server, app.clientId, undefined, await clientAuth(app));
  config.timeout = TOKEN_REQUEST_TIMEOUT_S;
  config[client.customFetch] = outboundFetch() as client.CustomFetch;
  if (tokenUrl.protocol === "http:") {
    if (!isLoopback(tokenUrl)) throw new Error("the Access Token URL must use https");
    client.allowInsecureRequests(config);
  }
  return config;
}

async function serviceAccountAssertion(app: OAuthApplication, subject: string, scope: string): Promise<string> {
  if (!app.privateKey) throw new Error("the service account's private key is missing");
  const key = await importPKCS8(app.privateKey, "RS256");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(app.privateKeyId ? { kid: app.privateKeyId } : {}) })
    .setIssuer(app.clientId)
    .setSubject(subject)
    .setAudience(app.tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
}

/** One request to the token endpoint for the connection's grant; errors become TokenEndpointError. */
export async function requestToken(app: OAuthApplication, conn: OAuthConnection): Promise<TokenSet> {
  const config = await configurationFor(app);
  const scope: Record<string, string> = conn.scope ? { scope: conn.scope } : {};
  try {
    let response: client.TokenEndpointResponse;
    switch (conn.grantType) {
      case "client_credentials":
        response = await client.clientCredentialsGrant(config, scope);
        break;
      case "password":
        response = await client.genericGrantRequest(config, "password", {
          username: conn.subject ?? "",
          password: conn.password ?? "",
          ...scope,
        });
        break;
      case "jwt_bearer":
        response = await client.genericGrantRequest(config, "urn:ietf:params:oauth:grant-type:jwt-bearer", {
          assertion: await serviceAccountAssertion(app, conn.subject ?? "", conn.scope),
        });
        break;
      default:
        if (!conn.refreshToken)
          throw new TokenEndpointError(
            { error: "invalid_grant", error_description: "no refresh token stored: sign in again" },
            0,
          );
        response = await refreshGrant(config, app, conn, conn.refreshToken);
    }
    return {
      accessToken: response.access_token,
      expiresIn: response.expires_in,
      refreshToken: response.refresh_token,
      refreshTokenExpiresIn:
        typeof response.refresh_token_expires_in === "number" ? response.refresh_token_expires_in : undefined,
      scope: response.scope,
    };
  } catch (error) {
    throw findOutboundRefusal(error) ?? asTokenEndpointError(error);
  }
}

function asTokenEndpointError(error: unknown): unknown {
  if (!(error instanceof client.ResponseBodyError)) return error;
  const body = error.cause as { error_codes?: number[] };
  return new TokenEndpointError(
    { error: error.error, error_description: error.error_description, error_codes: body?.error_codes },
    error.status,
  );
}

/**
 * A refresh with the scope that was granted (see refresh-scope.ts); when the server answers invalid_scope,
 * once more with the next candidate. If every candidate is refused, the error says what was tried.
 */
async function refreshGrant(
  config: client.Configuration,
  app: OAuthApplication,
  conn: OAuthConnection,
  refreshToken: string,
) {
  const attempts = refreshScopeAttempts(app.tokenUrl, conn);
  const tried: string[] = [];
  for (const [index, scope] of attempts.entries()) {
    try {
      return await client.refreshTokenGrant(config, refreshToken, scope ? { scope } : {});
    } catch (error) {
      const refused = asTokenEndpointError(error);
      if (!(refused instanceof TokenEndpointError) || refused.body.error !== "invalid_scope") throw refused;
      tried.push(scope ? `scope "${scope}"` : "no scope");
      if (index < attempts.length - 1) continue;
      throw new TokenEndpointError(
        {
          ...refused.body,
          error_description: `${refused.body.error_description ?? "the scope was refused"} (refresh tried with ${tried.join(", then ")})`,
        },
        refused.status,
      );
    }
  }
  throw new Error("no refresh attempt was made");
}
