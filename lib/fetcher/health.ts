import "server-only";
// A mailbox's fetching health as the console shows it.
import { db } from "@/lib/db";

export type MailboxHealth = NonNullable<Awaited<ReturnType<typeof mailboxHealth>>>;

export async function mailboxHealth(mailboxId: string) {
  const row = await db().incomingMailbox.findUnique({
    where: { id: mailboxId },
    select: {
      status: true,
      enabled: true,
      lastFetchAt: true,
      nextFetchAt: true,
      mailsFetched: true,
      lastError: true,
      lastErrorHint: true,
      consecutiveFailures: true,
      importSince: true,
      importTotal: true,
      incidentSince: true,
      incidentNotifiedAt: true,
      importDone: true,
      baselineCursor: true,
      leaseUntil: true,
      authType: true,
      connection: { select: { status: true, accessTokenExpiresAt: true, refreshTokenExpiresAt: true } },
    },
  });
  if (!row) return null;
  const status = !row.enabled
    ? "disabled"
    : row.connection?.status === "reconnect_needed"
      ? "reconnect_needed"
      : row.status;
  const hint = row.lastErrorHint ? (JSON.parse(row.lastErrorHint) as { title?: string; action?: string }) : null;
  return {
    status,
    lastFetchAt: row.lastFetchAt,
    nextFetchAt: row.nextFetchAt,
    mailsFetched: row.mailsFetched,
    lastError: row.lastError,
    hint,
    consecutiveFailures: row.consecutiveFailures,
    /** the failure incident: since when, and when the Contact Information address was told (null: not yet) */
    incident: row.incidentSince ? { since: row.incidentSince, notifiedAt: row.incidentNotifiedAt } : null,
    fetching: Boolean(row.leaseUntil && row.leaseUntil > new Date()),
    firstConnectionDone: Boolean(row.baselineCursor),
    importing: row.importSince ? { since: row.importSince, total: row.importTotal, done: row.importDone } : null,
    tokenExpiresAt: row.authType === "oauth" ? (row.connection?.accessTokenExpiresAt ?? null) : null,
    refreshTokenExpiresAt: row.authType === "oauth" ? (row.connection?.refreshTokenExpiresAt ?? null) : null,
  };
}
