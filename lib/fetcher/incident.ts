import "server-only";
// A mailbox that keeps failing is an incident: it starts after FAILURES_BEFORE_NOTICE failed fetches in a row
// (at once when a reconnect is needed), the Contact Information address gets one notice through the outbox,
// and it ends with the next successful fetch, so a later failure is a new incident with a notice of its own.
import { db } from "@/lib/db";
import type { Hint } from "@/lib/errors";
import { log } from "@/lib/log";
import { enqueueMail, getOutgoingStatus } from "@/lib/mail/outgoing";

/** One failed fetch is often a passing network hiccup; three in a row (with back-off between them) is not. */
export const FAILURES_BEFORE_NOTICE = 3;

export type MailboxFailure = { failures: number; reconnect: boolean; error: string; hint?: Hint | null };

export async function endMailboxIncident(mailboxId: string): Promise<void> {
  await db().incomingMailbox.updateMany({
    where: { id: mailboxId, incidentSince: { not: null } },
    data: { incidentSince: null, incidentNotifiedAt: null },
  });
}

export async function noteMailboxFailure(
  mailbox: { id: string; name: string },
  failure: MailboxFailure,
): Promise<void> {
  if (!failure.reconnect && failure.failures < FAILURES_BEFORE_NOTICE) return;
  const now = new Date();
  await db().incomingMailbox.updateMany({
    where: { id: mailbox.id, incidentSince: null },
    data: { incidentSince: now },
  });
  const contact = (await getOutgoingStatus())?.contactEmail;
  if (!contact) return;
  // Only the fetch that sets incidentNotifiedAt (one UPDATE) queues the notice.
  const claimed = await db().incomingMailbox.updateMany({
    where: { id: mailbox.id, incidentNotifiedAt: null, incidentSince: { not: null } },
    data: { incidentNotifiedAt: now },
  });
  if (claimed.count === 0) return;
  const row = await db().incomingMailbox.findUnique({ where: { id: mailbox.id }, select: { incidentSince: true } });
  if (!row?.incidentSince) return;
  const name = mailbox.name.replace(/[\r\n]+/g, " ");
  try {
    await enqueueMail({
      kind: "notice",
      idempotencyKey: `mailbox-incident:${mailbox.id}:${row.incidentSince.toISOString()}`,
      to: [contact],
      subject: failure.reconnect
        ? `Mailbridge: the mailbox ${name} needs a reconnect`
        : `Mailbridge cannot fetch mail from the mailbox ${name}`,
      text:
        `Mailbridge has not been able to fetch mail from the mailbox "${name}" since ${row.incidentSince.toUTCString()} ` +
        `(${failure.failures} failed fetch${failure.failures === 1 ? "" : "es"} in a row).\n\n` +
        `Last error: ${failure.error}\n${failure.hint ? `\n${failure.hint.title}: ${failure.hint.action}\n` : ""}\n` +
        (failure.reconnect
          ? "Sign in again (OAuth consent) on the mailbox's page in the console.\n"
          : "Fetching is retried with back-off. Check the mailbox's page in the console.\n") +
        "You get no further mail about this until the mailbox works again.\n",
    });
  } catch (error) {
    // Not queued (e.g. the outgoing settings are incomplete): a later failed fetch tries again.
    await db().incomingMailbox.updateMany({
      where: { id: mailbox.id, incidentNotifiedAt: now },
      data: { incidentNotifiedAt: null },
    });
    log.warn("fetcher: could not queue the mailbox failure notice", {
      mailboxId: mailbox.id,
      error: (error as Error).message,
    });
  }
}
