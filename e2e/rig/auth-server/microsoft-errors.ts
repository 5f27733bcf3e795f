// Errors in the shape the Microsoft identity platform (v2 endpoints) answers them: AADSTS codes in the
// description and in `error_codes`, plus timestamp and trace / correlation ids.
import { randomUUID } from "node:crypto";
import type { KoaContextWithOIDC } from "oidc-provider";

type AadstsEntry = { error: string; message: string; status: number };

/** Known AADSTS codes; anything else forced through fail-next gets a generic text. */
export const AADSTS: Record<number, AadstsEntry> = {
  50011: {
    error: "invalid_request",
    status: 400,
    message:
      "The redirect URI specified in the request does not match the redirect URIs configured for the application.",
  },
  50034: { error: "invalid_grant", status: 400, message: "The user account does not exist in the directory." },
  50076: {
    error: "invalid_grant",
    status: 400,
    message:
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
  },
  50126: {
    error: "invalid_grant",
    status: 400,
    message: "Error validating credentials due to invalid username or password.",
  },
  50173: {
    error: "invalid_grant",
    status: 400,
    message:
      "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
  },
  53003: {
    error: "invalid_grant",
    status: 400,
    message: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  },
  54005: {
    error: "invalid_grant",
    status: 400,
    message:
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  },
  65001: {
    error: "invalid_grant",
    status: 400,
    message:
      "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
  },
  65004: { error: "access_denied", status: 400, message: "User declined to consent to access the app." },
  70000: {
    error: "invalid_grant",
    status: 400,
    message: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
  },
  70003: { error: "unsupported_grant_type", status: 400, message: "The app requested an unsupported grant type." },
  70008: {
    error: "invalid_grant",
    status: 400,
    message:
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  },
  70011: {
    error: "invalid_scope",
    status: 400,
    message:
      "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.",
  },
  500011: { error: "invalid_resource", status: 400, message: "The resource principal was not found in the tenant." },
  501481: {
    error: "invalid_grant",
    status: 400,
    message: "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  },
  700016: {
    error: "unauthorized_client",
    status: 400,
    message:
      "Application with the given identifier was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
  },
  700022: {
    error: "invalid_scope",
    status: 400,
    message:
      "The provided value for the input parameter scope is not valid because it contains more than one resource.",
  },
  700027: { error: "invalid_client", status: 401, message: "Client assertion failed signature validation." },
  700082: {
    error: "invalid_grant",
    status: 400,
    message: "The refresh token has expired due to inactivity. The token was inactive for 90.00:00:00.",
  },
  7000215: {
    error: "invalid_client",
    status: 401,
    message:
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
  },
  7000218: {
    error: "invalid_client",
    status: 401,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  7000222: {
    error: "invalid_client",
    status: 401,
    message:
      "The provided client secret keys for app are expired. Visit the Azure portal to create new keys for your app, or consider using certificate credentials for added security.",
  },
  9002313: { error: "invalid_request", status: 400, message: "Invalid request. Request is malformed or invalid." },
};

export function parseAadstsCode(code: string): number {
  const digits = /^(?:AADSTS)?(\d+)$/i.exec(code.trim());
  if (!digits) throw new Error(`not an AADSTS code: ${code}`);
  return Number(digits[1]);
}

export type MicrosoftErrorBody = {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
};

export function microsoftError(
  code: number,
  overrides: { error?: string; message?: string; status?: number } = {},
): { status: number; body: MicrosoftErrorBody } {
  const known = AADSTS[code];
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  const message = overrides.message ?? known?.message ?? "The request could not be completed.";
  return {
    status: overrides.status ?? known?.status ?? 400,
    body: {
      error: overrides.error ?? known?.error ?? "invalid_request",
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export type ProviderFailure = { error: string; error_description?: string; error_detail?: string };

/** The AADSTS code Microsoft would answer a token request with, for an error oidc-provider raised. */
export function aadstsCodeForTokenError(
  failure: ProviderFailure,
  request: { grantType?: string; clientKnown: boolean; authMethod?: string; refreshTokenRevoked: boolean },
): number {
  const detail = failure.error_detail ?? "";
  switch (failure.error) {
    case "invalid_client":
      if (!request.clientKnown) return 700016;
      if (request.authMethod === "private_key_jwt") return 700027;
      if (request.authMethod === "none") return 7000218;
      return 7000215;
    case "invalid_grant":
      switch (request.grantType) {
        case "refresh_token":
          if (request.refreshTokenRevoked) return 50173;
          if (/expired/.test(detail)) return 700082;
          return 70000;
        case "authorization_code":
          if (/PKCE/i.test(detail)) return 501481;
          if (/already used|consumed/.test(detail)) return 54005;
          if (/expired/.test(detail)) return 70008;
          return 70000;
        case "password":
          return /account/.test(detail) ? 50034 : 50126;
        default:
          return 70000;
      }
    case "invalid_scope":
      return /more than one resource/.test(failure.error_description ?? "") ? 700022 : 70011;
    case "invalid_target":
      return 500011;
    case "unsupported_grant_type":
      return 70003;
    case "unauthorized_client":
      return 700016;
    default:
      return 9002313;
  }
}

/** The text an error page of the Microsoft-style authorize endpoint shows. */
export function microsoftAuthorizeErrorText(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
): string {
  const clientId = typeof ctx.oidc?.params?.client_id === "string" ? ctx.oidc.params.client_id : "";
  const redirectUri = typeof ctx.oidc?.params?.redirect_uri === "string" ? ctx.oidc.params.redirect_uri : "";
  if (out.error === "invalid_redirect_uri") {
    return `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`;
  }
  if (out.error === "invalid_client") {
    return `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`;
  }
  if (out.error === "invalid_scope") {
    return `AADSTS70011: The provided value for the input parameter 'scope' is not valid. ${out.error_description ?? ""}`.trim();
  }
  return `AADSTS9002313: Invalid request. Request is malformed or invalid. ${out.error_description ?? ""}`.trim();
}
