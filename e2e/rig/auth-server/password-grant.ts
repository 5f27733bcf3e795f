// Resource-owner password credentials (RFC 6749 section 4.3), as Microsoft's ROPC: the client sends the
// user's address and password and gets the user's tokens; no MFA, no consent page.
import { errors, type Provider } from "oidc-provider";
import { splitScope } from "./audiences";
import { issueUserTokens } from "./grant-tokens";
import { findUser, passwordMatches, PASSWORD_GRANT } from "./identities";
import type { AuthServerContext } from "./server-context";

export function registerPasswordGrant(provider: Provider, server: AuthServerContext): void {
  provider.registerGrantType(
    PASSWORD_GRANT,
    async (ctx) => {
      const { username, password, scope } = ctx.oidc.params;
      if (typeof username !== "string" || typeof password !== "string" || !username || !password) {
        throw new errors.InvalidRequest("username and password are required");
      }
      const user = findUser(server.identities, username);
      if (!user) throw new errors.InvalidGrant("account not found");
      if (!passwordMatches(user, password)) throw new errors.InvalidGrant("invalid username or password");

      ctx.body = await issueUserTokens(provider, server, ctx, {
        accountId: user.username,
        scopes: splitScope(typeof scope === "string" ? scope : undefined),
        gty: PASSWORD_GRANT,
        allowRefreshToken: true,
      });
    },
    ["username", "password", "scope"],
  );
}
