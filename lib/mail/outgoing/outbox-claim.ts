import "server-only";
// Claiming outbox messages across processes: one conditional UPDATE moves a message from "queued" to
// "sending" with a lease, so two workers (or a worker and a test send) never both send it.
import { db } from "@/lib/db";
import type { ClaimedMessage } from "./outbox-delivery";

export const DEFAULT_LEASE_MS = 10 * 60_000;

export async function claimMessage(
  id: string,
  owner: string,
  opts: { leaseMs?: number; ignoreSchedule?: boolean } = {},
): Promise<ClaimedMessage | null> {
  const now = new Date();
  const { count } = await db().outboxMessage.updateMany({
    where: { id, state: "queued", ...(opts.ignoreSchedule ? {} : { nextAttemptAt: { lte: now } }) },
    data: {
      state: "sending",
      phase: "connecting",
      leaseOwner: owner,
      leaseUntil: new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS)),
      attempts: { increment: 1 },
    },
  });
  if (count === 0) return null;
  return db().outboxMessage.findFirst({ where: { id, leaseOwner: owner, state: "sending" } });
}

/** The next due message this worker could claim, oldest due first (claiming may still lose the race). */
export async function nextDueIds(limit: number): Promise<string[]> {
  const rows = await db().outboxMessage.findMany({
    where: { state: "queued", nextAttemptAt: { lte: new Date() } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((row) => row.id);
}
