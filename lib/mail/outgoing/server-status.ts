import "server-only";
// The outgoing server's status after each send: Active again after a success (the incident ends), failing or
// reconnect needed after a failure. The first failure of an incident queues one notice to the Contact
// Information address, sent through the alternate server (the failing one would not carry it).
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import type { AttemptFailure } from "./attempt";
import { forgetOutgoingBannerStatus } from "./banner-cache";
import { enqueueMail } from "./outbox";
import { RECONNECT_NEEDED, SERVER_ID } from "./server-settings";

export type OutgoingStatus = "new" | "ok" | "failing" | "reconnect_needed";

export async function markSendWorked(): Promise<void> {
  await db().outgoingServer.updateMany({
    where: { id: SERVER_ID },
    data: {
      status: "ok",
      lastError: null,
      lastErrorHint: null,
      lastSentAt: new Date(),
      incidentSince: null,
      incidentNotifiedAt: null,
    },
  });
  forgetOutgoingBannerStatus();
}

export function failureText(failure: AttemptFailure): string {
  return failure.raw ? `${failure.error}: ${failure.raw}` : failure.error;
}

export async function markSendFailed(failure: AttemptFailure, opts: { notify: boolean }): Promise<void> {
  const status: OutgoingStatus = failure.code === RECONNECT_NEEDED ? "reconnect_needed" : "failing";
  const now = new Date();
  await db().outgoingServer.updateMany({
    where: { id: SERVER_ID },
    data: {
      status,
      lastError: failureText(failure),
      lastErrorHint: failure.hint ? JSON.stringify(failure.hint) : null,
    },
  });
  forgetOutgoingBannerStatus();
  // The incident starts with the first failure; only the process that sets it (one UPDATE) may notify.
  await db().outgoingServer.updateMany({ where: { id: SERVER_ID, incidentSince: null }, data: { incidentSince: now } });
  if (!opts.notify) return;
  const claimed = await db().outgoingServer.updateMany({
    where: { id: SERVER_ID, incidentNotifiedAt: null, contactEmail: { not: "" } },
    data: { incidentNotifiedAt: now },
  });
  if (claimed.count === 0) return;
  const server = await db().outgoingServer.findUnique({
    where: { id: SERVER_ID },
    select: { contactEmail: true, incidentSince: true, host: true, protocol: true },
  });
  if (!server?.contactEmail || !server.incidentSince) return;
  try {
    await enqueueMail({
      kind: "failure_notice",
      idempotencyKey: `failure-notice:${server.incidentSince.toISOString()}`,
      to: [server.contactEmail],
      subject: "Mailbridge cannot send mail",
      text:
        `Mailbridge could not send mail through ${server.host || server.protocol} since ${server.incidentSince.toUTCString()}.\n\n` +
        `Last error: ${failureText(failure)}\n${failure.hint ? `\n${failure.hint.title}: ${failure.hint.action}\n` : ""}\n` +
        "Queued messages are kept and retried. Check the Outgoing mail page of the console.\n",
    });
  } catch (error) {
    log.warn("outgoing: could not queue the failure notice", { error: (error as Error).message });
  }
}
