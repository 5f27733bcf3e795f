import "server-only";
import * as client from "openid-client";
import { SignJWT, importPKCS8 } from "jose";
import type { OAuthApplication, OAuthConnection } from "@/lib/db/generated/sqlite/client";
import { findOutboundRefusal } from "@/lib/net";
import { outboundFetch } from "./outbound-fetch";

export type TokenSet = { accessToken: string; expiresIn?: number; refreshToken?: string; refreshTokenExpiresIn?: number; scope?: string };

export class TokenEndpointError extends Error {
  constructor(readonly body: { error: string; error_description?: string; error_codes?: number[] }, readonly status: number) {
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
  config[client.customFetch] = outboundFetch() as client.CustomFetch;
  config.timeout = 15;
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
        response = await client.genericGrantRequest(config, "password", { username: conn.subject ?? "", password: conn.password ?? "", ...scope });
        break;
      case "jwt_bearer":
        response = await client.genericGrantRequest(config, "urn:ietf:params:oauth:grant-type:jwt-bearer", {
          assertion: await serviceAccountAssertion(app, conn.subject ?? "", conn.scope),
        });
        break;
      default:
        if (!conn.refreshToken) throw new TokenEndpointError({ error: "invalid_grant", error_description: "no refresh token stored: sign in again" }, 0);
        response = await client.refreshTokenGrant(config, conn.refreshToken, scope);
    }
    return {
      accessToken: response.access_token,
      expiresIn: response.expires_in,
      refreshToken: response.refresh_token,
      refreshTokenExpiresIn: typeof response.refresh_token_expires_in === "number" ? response.refresh_token_expires_in : undefined,
      scope: response.scope,
    };
  } catch (error) {
    const refusal = findOutboundRefusal(error);
    if (refusal) throw refusal;
    if (error instanceof client.ResponseBodyError) {
      const body = error.cause as { error_codes?: number[] };
      throw new TokenEndpointError({ error: error.error, error_description: error.error_description, error_codes: body?.error_codes }, error.status);
    }
    throw error;
  }
}
