// Token-endpoint errors in the shape Google's OAuth 2.0 server answers them.
import type { ProviderFailure } from "./microsoft-errors";

export const GOOGLE_TESTING_REFRESH_TOKEN_SECONDS = 604799;

export function googleTokenError(
  failure: ProviderFailure,
  request: { grantType?: string; clientKnown: boolean },
): { status: number; body: { error: string; error_description: string } } {
  switch (failure.error) {
    case "invalid_client":
      return {
        status: 401,
        body: {
          error: "invalid_client",
          error_description: request.clientKnown ? "Unauthorized" : "The OAuth client was not found.",
        },
      };
    case "invalid_grant":
      if (request.grantType === "refresh_token") {
        return {
          status: 400,
          body: { error: "invalid_grant", error_description: "Token has been expired or revoked." },
        };
      }
      if (request.grantType === "authorization_code") {
        return { status: 400, body: { error: "invalid_grant", error_description: "Malformed auth code." } };
      }
      return {
        status: 400,
        body: {
          error: "invalid_grant",
          error_description: failure.error_detail ?? failure.error_description ?? "Bad Request",
        },
      };
    default:
      return {
        status: 400,
        body: { error: failure.error, error_description: failure.error_description ?? "Bad Request" },
      };
  }
}
