// Helpers for the outgoing-mail tests against the rig: tokens by the password grant, and a unique subject so
// tests running side by side find their own message in the shared sink.
import { randomBytes } from "node:crypto";
import { getToken } from "@/e2e/rig/auth-client";
import type { RigInfo } from "@/e2e/rig/info";
import { waitForSentMessage, type SentMessage } from "@/e2e/rig/mailbox";
import type { OutgoingAuth, OutgoingToken } from "@/lib/mail/outgoing";

export const OUTLOOK_SMTP = "https://outlook.office.com/SMTP.Send";
export const GRAPH_SEND = "https://graph.microsoft.com/Mail.Send";
export const EWS_SCOPE = "https://outlook.office.com/EWS.AccessAsUser.All";

export type TokenLog = { tokens: string[] };

export function rigOAuth(
  rig: RigInfo,
  opts: { tokenUser: string; loginUser?: string; scope: string },
  log: TokenLog = { tokens: [] },
): Extract<OutgoingAuth, { type: "oauth" }> {
  return {
    type: "oauth",
    user: opts.loginUser ?? rig.auth.users[opts.tokenUser]?.username ?? opts.tokenUser,
    async getToken(): Promise<OutgoingToken> {
      const response = await getToken(rig, { user: opts.tokenUser, scope: opts.scope });
      log.tokens.push(response.access_token);
      return { accessToken: response.access_token, expiresAt: new Date(Date.now() + response.expires_in * 1000) };
    },
  };
}

export const uniqueSubject = (prefix: string) => `${prefix} ${randomBytes(5).toString("hex")}`;

/**
 * Waits for a message in the rig's sink whose header is complete: the sink writes the .eml in place, so a
 * reader can see a file that is still being written.
 */
export function waitForDelivered(
  rig: RigInfo,
  predicate: (message: SentMessage) => boolean,
  timeoutMs?: number,
): Promise<SentMessage> {
  return waitForSentMessage(rig, (m) => /\r?\n\r?\n/.test(m.raw) && predicate(m), timeoutMs);
}

/** One pass of an outbox worker (the module is passed in: tests import it after choosing their database). */
export async function sendQueuedOnce(
  outgoing: Pick<typeof import("@/lib/mail/outgoing"), "startOutboxWorker">,
  owner: string,
): Promise<void> {
  const worker = outgoing.startOutboxWorker({ pollMs: 60_000, owner });
  try {
    await worker.tick();
  } finally {
    await worker.stop();
  }
}

/** The Outgoing form's values for the rig's SMTPS server with alice's password (fields to add or override). */
export function rigSmtpsFormValues(rig: RigInfo, extra: Record<string, unknown> = {}) {
  const alice = rig.auth.users.alice;
  return {
    protocol: "smtps",
    host: rig.smtp.host,
    port: rig.smtp.smtpsPort,
    authType: "password",
    username: alice.username,
    password: alice.password,
    maxEmailSizeMb: 10,
    ...extra,
  };
}
