import "server-only";
// The only place incoming mail talks to the OAuth concern: tokens for an adapter, and saving the mailbox's
// OAuth connection from the form.
import { db } from "@/lib/db";
import { deleteConnection, getAccessToken, saveOAuthConnection } from "@/lib/oauth";
import type { OAuthToken, SourceAuth } from "./source";

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

export async function saveMailboxOAuth(
  input: unknown,
  opts: { userId: string; existingConnectionId?: string | null; mailbox: string },
): Promise<{ connectionId: string; needsConsent: boolean }> {
  return saveOAuthConnection(input, {
    userId: opts.userId,
    existingConnectionId: opts.existingConnectionId ?? undefined,
    direction: "incoming",
    mailbox: opts.mailbox,
  });
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
