import "server-only";
// Messages whose sending process died (the lease ran out while "sending"). The phase tells what the server
// can have seen:
// - "connecting": the message was never handed over (connect, TLS, sign-in) → queued again, sent once later;
// - "submitting": the server may have accepted it before the process died. Sending again could deliver it
//   twice, so it is not resent blindly: it is marked failed with needsReview, and the console asks the
//   operator to check (the recipient, the Sent Items) and press Retry or Cancel.
import { db } from "@/lib/db";

export async function recoverAbandoned(now = new Date()): Promise<{ requeued: number; review: number }> {
  const stale = { state: "sending", leaseUntil: { lt: now } };
  const requeued = await db().outboxMessage.updateMany({
    where: { ...stale, phase: "connecting" },
    data: {
      state: "queued",
      phase: null,
      leaseOwner: null,
      leaseUntil: null,
      nextAttemptAt: now,
      lastError: "The sending process stopped before the server got the message; it is sent again.",
    },
  });
  const review = await db().outboxMessage.updateMany({
    where: { ...stale, OR: [{ phase: "submitting" }, { phase: null }] },
    data: {
      state: "failed",
      phase: null,
      leaseOwner: null,
      leaseUntil: null,
      needsReview: true,
      lastError:
        "The sending process stopped while the server was receiving this message: it may have been sent. Check with the recipient or in Sent Items, then Retry or Cancel.",
    },
  });
  return { requeued: requeued.count, review: review.count };
}

/** How long sent and cancelled messages stay listed (with their raw MIME) before they are deleted. */
export const FINISHED_KEEP_DAYS = 30;

/** Deletes sent and cancelled messages older than FINISHED_KEEP_DAYS, so the outbox does not grow without end. */
export async function pruneFinished(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - FINISHED_KEEP_DAYS * 24 * 60 * 60 * 1000);
  const { count } = await db().outboxMessage.deleteMany({
    where: {
      OR: [
        { state: "sent", sentAt: { lt: cutoff } },
        { state: "cancelled", createdAt: { lt: cutoff } },
      ],
    },
  });
  return count;
}
