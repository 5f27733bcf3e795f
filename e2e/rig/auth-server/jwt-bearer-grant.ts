// JWT bearer grant (RFC 7523 section 2.1) as Google service accounts with domain-wide delegation use it:
// an RS256 assertion signed with the service account's key, iss = the service account, aud = the token URL,
// sub = the mailbox to act as, scope as a claim (or a parameter). Answered with an access token, no refresh token.
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { errors, type Provider } from "oidc-provider";
import { splitScope } from "./audiences";
import { issueUserTokens } from "./grant-tokens";
import { findUser, JWT_BEARER_GRANT } from "./identities";
import { ROUTES, type AuthServerContext } from "./server-context";

const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
const LIFETIME_ERROR =
  "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";

export function registerJwtBearerGrant(provider: Provider, server: AuthServerContext): void {
  const invalidGrant = (description: string) => new errors.CustomOIDCProviderError("invalid_grant", description);

  provider.registerGrantType(
    JWT_BEARER_GRANT,
    async (ctx) => {
      const { assertion, scope: scopeParameter } = ctx.oidc.params;
      if (typeof assertion !== "string" || !assertion) throw new errors.InvalidRequest("assertion is required");
      const serviceAccount = server.identities.serviceAccount;
      if (ctx.oidc.client?.clientId !== serviceAccount.clientEmail) {
        throw new errors.UnauthorizedClient("this client is not a service account");
      }

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(assertion, serviceAccount.keys.publicKey, {
          algorithms: ["RS256"],
          issuer: serviceAccount.clientEmail,
          audience: [`${server.issuer}${ROUTES.token}`, `${server.issuer}${ROUTES.googleToken}`],
          requiredClaims: ["exp", "iat"],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidGrant("Invalid JWT Signature.");
        if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud") {
          throw invalidGrant("Invalid JWT: Failed audience check.");
        }
        if (error instanceof joseErrors.JWTExpired || error instanceof joseErrors.JWTClaimValidationFailed)
          throw invalidGrant(LIFETIME_ERROR);
        throw invalidGrant("Invalid JWT.");
      }
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_ASSERTION_LIFETIME_SECONDS) throw invalidGrant(LIFETIME_ERROR);

      const user = typeof payload.sub === "string" ? findUser(server.identities, payload.sub) : undefined;
      if (!user) throw invalidGrant("Invalid email or User ID");

      const scope =
        typeof payload.scope === "string" ? payload.scope : typeof scopeParameter === "string" ? scopeParameter : "";
      const scopes = splitScope(scope);
      if (!scopes.length)
        throw new errors.CustomOIDCProviderError("invalid_scope", "Empty or missing scope not allowed.");

      ctx.body = await issueUserTokens(provider, server, ctx, {
        accountId: user.username,
        scopes,
        gty: JWT_BEARER_GRANT,
        allowRefreshToken: false,
      });
    },
    ["assertion", "scope"],
  );
}
