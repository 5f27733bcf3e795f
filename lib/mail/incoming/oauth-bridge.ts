import "server-only";
// The only place incoming mail talks to the OAuth concern: tokens for an adapter, and saving the mailbox's
// OAuth connection from the form.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import type { oauthFieldsSchema } from "@/lib/oauth/client";
import type { z } from "zod";
import { deleteConnection, getAccessToken, saveOAuthConnection } from "@/lib/oauth";
import type { OAuthToken, SourceAuth } from "./source";

type OAuthFields = z.output<typeof oauthFieldsSchema>;

export function oauthAuth(connectionId: string, loginUser: string): Extract<SourceAuth, { type: "oauth" }> {
  return {
    type: "oauth",
    user: loginUser,
    async getToken(opts?: { forceRefresh?: boolean }): Promise<OAuthToken> {
      const token = await getAccessToken(connectionId, { forceRefresh: opts?.forceRefresh });
      return { accessToken: token.accessToken, expiresAt: token.expiresAt ?? null };
    },
  };
}

/**
 * Saves the mailbox's OAuth fields. `fresh`: the mailbox leaves its old connection (its server changed), so a
 * new one is created whatever connection id the form carries.
 */
export async function saveMailboxOAuth(
  input: OAuthFields,
  opts: { userId: string; existingConnectionId?: string | null; mailbox: string; fresh?: boolean },
): Promise<{ connectionId: string; needsConsent: boolean }> {
  return saveOAuthConnection(opts.fresh ? { ...input, connectionId: undefined } : input, {
    userId: opts.userId,
    existingConnectionId: opts.existingConnectionId ?? undefined,
    direction: "incoming",
    mailbox: opts.mailbox,
  });
}

/**
 * A grant that needs no consent turns a stored secret into a token by itself: when the mail server changed,
 * the admin types that secret again before a token is obtained for the new server.
 */
export function requireRetypedGrantSecret(fields: OAuthFields): void {
  const retyped = (name: keyof OAuthFields, label: string) => {
    if (!fields[name]) {
      throw new UserFacingError(`The server changed: enter the ${label} again.`, {
        fieldErrors: { [`oauth.${name}`]: `The server changed: enter the ${label} again` },
      });
    }
  };
  switch (fields.grantType) {
    case "authorization_code":
      return; // the new connection waits for a fresh consent
    case "password":
      return retyped("password", "password of the ROPC user");
    case "refresh_token":
      return retyped("refreshToken", "refresh token");
    case "jwt_bearer":
      return retyped("privateKey", "private key");
    default:
      if (fields.clientAuthMethod === "private_key_jwt") return retyped("privateKey", "private key");
      if (fields.clientAuthMethod !== "none") return retyped("clientSecret", "client secret");
  }
}

/** Deletes (and revokes) a connection no mailbox uses any more. */
export async function forgetMailboxOAuth(connectionId: string): Promise<void> {
  const users = await db().incomingMailbox.count({ where: { connectionId } });
  if (users === 0) await deleteConnection(connectionId);
}

/** App-only grants (client credentials) act for a mailbox without being it: EWS needs impersonation then. */
export async function isAppOnly(connectionId: string | null | undefined): Promise<boolean> {
  if (!connectionId) return false;
  const conn = await db().oAuthConnection.findUnique({ where: { id: connectionId }, select: { grantType: true } });
  return conn?.grantType === "client_credentials";
}
