// The token endpoint in its three styles: the plain one (`/token`), Microsoft's
// `/ms/{tenant}/oauth2/v2.0/token` and Google's `/google/token`. All are answered by the same oidc-provider
// token endpoint; this middleware applies forced failures and reshapes errors the way each provider answers.
import { decodeJwt } from "jose";
import type { KoaContextWithOIDC, Middleware, OIDCProviderError } from "oidc-provider";
import type { ForcedFailure, ProviderStyle } from "./control-state";
import { GOOGLE_TESTING_REFRESH_TOKEN_SECONDS, googleTokenError } from "./google-errors";
import { JWT_BEARER_GRANT } from "./identities";
import { aadstsCodeForTokenError, microsoftError, parseAadstsCode, type ProviderFailure } from "./microsoft-errors";
import { passFormOn, readForm } from "./request-body";
import { ROUTES, type AuthServerContext } from "./server-context";

const MICROSOFT_TOKEN_PATH = /^\/ms\/[^/]+\/oauth2\/v2\.0\/token$/;

export function tokenStyle(path: string): ProviderStyle | undefined {
  if (path === ROUTES.token) return "standard";
  if (path === ROUTES.googleToken) return "google";
  if (MICROSOFT_TOKEN_PATH.test(path)) return "microsoft";
  return undefined;
}

export function tokenEndpoint(server: AuthServerContext): Middleware {
  return async (ctx, next) => {
    const style = tokenStyle(ctx.path);
    if (!style || ctx.method !== "POST") return next();

    // private_key_jwt assertions may be addressed to the URL the client used (see provider.ts).
    ctx.state.rigPublicTokenUrl = `${server.issuer}${ctx.path}`;
    const form = ctx.is("application/x-www-form-urlencoded") ? await readForm(ctx) : undefined;
    const grantType = form?.get("grant_type") ?? undefined;
    const registrationOf = (id: string | undefined) =>
      Object.values(server.identities.clients).find((client) => client.clientId === id);
    // Microsoft's v2 endpoint wants a scope on every refresh (a subset of the one consented to).
    if (style === "microsoft" && grantType === "refresh_token" && !form?.get("scope")) {
      server.log(
        `token: refresh without scope refused (microsoft) for ${requestClientId(ctx, form) ?? "unknown client"}`,
      );
      ctx.set("cache-control", "no-store");
      const shaped = microsoftError(70011);
      ctx.status = shaped.status;
      ctx.body = shaped.body;
      return;
    }
    if (form) {
      adjustForm(form, Boolean(ctx.get("authorization")), {
        keepOfflineAccess: Boolean(registrationOf(requestClientId(ctx, form))?.narrowRefreshScope),
      });
      passFormOn(ctx, form);
    }
    const clientId = requestClientId(ctx, form);
    const registration = registrationOf(clientId);

    server.control.countTokenRequest(clientId, grantType);
    const delay = server.control.takeDelay(clientId);
    if (delay) {
      server.log(`token: holding the request of ${clientId ?? "unknown client"} back for ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const forced = server.control.takeFailure("token", style, clientId);
    if (forced) {
      server.log(`token: forced failure ${forced.code} (${style}) for ${clientId ?? "any client"}`);
      sendForcedTokenFailure(ctx, style, forced);
      return;
    }

    if (style !== "standard") ctx.path = ROUTES.token;
    await next();

    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status >= 400 && body && typeof body.error === "string") {
      const raised = ctx.state.rigError as OIDCProviderError | undefined;
      const failure: ProviderFailure = {
        error: body.error,
        error_description: typeof body.error_description === "string" ? body.error_description : undefined,
        error_detail: raised?.error === body.error ? raised.error_detail : undefined,
      };
      const refreshToken = form?.get("refresh_token") ?? "";
      const request = {
        grantType,
        clientKnown: Boolean(registration),
        authMethod: registration?.tokenEndpointAuthMethod,
        refreshTokenRevoked: grantType === "refresh_token" && server.control.revokedRefreshTokens.has(refreshToken),
      };
      if (style === "microsoft") {
        const shaped = microsoftError(aadstsCodeForTokenError(failure, request));
        ctx.status = shaped.status;
        ctx.body = shaped.body;
      } else if (style === "google") {
        const shaped = googleTokenError(failure, request);
        ctx.status = shaped.status;
        ctx.body = shaped.body;
      }
      return;
    }
    if (ctx.status === 200 && body && typeof body.access_token === "string" && registration?.googleTesting) {
      body.refresh_token_expires_in = GOOGLE_TESTING_REFRESH_TOKEN_SECONDS;
    }
  };
}

function adjustForm(
  form: URLSearchParams,
  hasAuthorizationHeader: boolean,
  opts: { keepOfflineAccess: boolean },
): void {
  const grantType = form.get("grant_type");
  // RFC 7523 bearer assertions need no client authentication (Google's service accounts send none); the
  // client is the assertion's issuer.
  if (grantType === JWT_BEARER_GRANT && !form.has("client_id") && !hasAuthorizationHeader) {
    const issuer = decodeIssuer(form.get("assertion"));
    if (issuer) form.set("client_id", issuer);
  }
  // The authorize endpoint records offline access on the grant, not in the scope (see authorize-endpoint.ts),
  // so a refresh request naming offline_access (as Microsoft clients do) must not be refused for it.
  if (grantType === "refresh_token" && form.has("scope") && !opts.keepOfflineAccess) {
    const scope = (form.get("scope") ?? "").split(" ").filter((value) => value && value !== "offline_access");
    if (scope.length) form.set("scope", scope.join(" "));
    else form.delete("scope");
  }
}

function decodeIssuer(assertion: string | null): string | undefined {
  if (!assertion) return undefined;
  try {
    const { iss } = decodeJwt(assertion);
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}

function requestClientId(ctx: KoaContextWithOIDC, form: URLSearchParams | undefined): string | undefined {
  const fromForm = form?.get("client_id");
  if (fromForm) return fromForm;
  const authorization = ctx.get("authorization");
  if (/^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const user = decoded.slice(0, Math.max(decoded.indexOf(":"), 0));
    try {
      return decodeURIComponent(user.replace(/\+/g, "%20"));
    } catch {
      return user;
    }
  }
  const assertion = form?.get("client_assertion");
  if (assertion) {
    try {
      const { sub } = decodeJwt(assertion);
      return typeof sub === "string" ? sub : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function sendForcedTokenFailure(ctx: KoaContextWithOIDC, style: ProviderStyle, forced: ForcedFailure): void {
  ctx.set("cache-control", "no-store");
  if (style === "microsoft") {
    const shaped = microsoftError(parseAadstsCode(forced.code), {
      error: forced.error,
      message: forced.description,
      status: forced.status,
    });
    ctx.status = shaped.status;
    ctx.body = shaped.body;
    return;
  }
  const error = forced.error ?? forced.code;
  const defaultDescription =
    style === "google" && error === "invalid_grant" ? "Token has been expired or revoked." : "forced by the rig";
  ctx.status = forced.status ?? (error === "invalid_client" ? 401 : 400);
  ctx.body = { error, error_description: forced.description ?? defaultDescription };
}
