import "server-only";
import * as client from "openid-client";
import type { OAuthApplication, OAuthConnection } from "@/lib/db";
import { configurationFor } from "./token-request";

/**
 * Revokes the connection's refresh token (which ends the grant) and access token at the provider's
 * revocation endpoint (RFC 7009). False when the provider has none: Microsoft does not offer one.
 */
export async function revokeTokens(
  app: OAuthApplication,
  conn: Pick<OAuthConnection, "refreshToken" | "accessToken">,
): Promise<boolean> {
  if (!app.revocationUrl || !app.tokenUrl) return false;
  const tokens = [
    conn.refreshToken ? { token: conn.refreshToken, hint: "refresh_token" } : null,
    conn.accessToken ? { token: conn.accessToken, hint: "access_token" } : null,
  ].filter((t): t is { token: string; hint: string } => t !== null);
  if (tokens.length === 0) return false;
  const config = await configurationFor(app);
  let revoked = false;
  for (const { token, hint } of tokens) {
    try {
      await client.tokenRevocation(config, token, { token_type_hint: hint });
      revoked = true;
    } catch (error) {
      // RFC 7009 §2.2.1: a server may not revoke some token types (self-contained JWT access tokens); the
      // refresh token's revocation ends the grant, which is what matters.
      if (error instanceof client.ResponseBodyError && error.error === "unsupported_token_type") continue;
      throw error;
    }
  }
  return revoked;
}
