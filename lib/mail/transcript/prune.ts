import "server-only";
import { config } from "@/lib/config";
import { db } from "@/lib/db";

/** Most transcript bytes kept per mailbox; older transcripts beyond it are dropped first. */
export const TRANSCRIPT_BYTES_PER_MAILBOX = 5 * 1024 * 1024;

/**
 * Drops debug transcripts older than MAILBRIDGE_DEBUG_LOG_DAYS and, per mailbox, the oldest ones beyond the size
 * cap. The runs themselves (steps, errors) stay. Returns how many transcripts were dropped.
 */
export async function pruneTranscripts(
  opts: { now?: Date; mailboxId?: string; bytesPerMailbox?: number } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - config().debugLogDays * 24 * 60 * 60 * 1000);
  const expired = await db().fetchRun.updateMany({
    where: {
      transcript: { not: null },
      startedAt: { lt: cutoff },
      ...(opts.mailboxId ? { mailboxId: opts.mailboxId } : {}),
    },
    data: { transcript: null, transcriptBytes: 0 },
  });
  let dropped = expired.count;

  const cap = opts.bytesPerMailbox ?? TRANSCRIPT_BYTES_PER_MAILBOX;
  const runs = await db().fetchRun.findMany({
    where: { transcript: { not: null }, ...(opts.mailboxId ? { mailboxId: opts.mailboxId } : {}) },
    select: { id: true, mailboxId: true, transcriptBytes: true },
    orderBy: { startedAt: "desc" },
  });
  const used = new Map<string, number>();
  const over: string[] = [];
  for (const run of runs) {
    const key = run.mailboxId ?? "";
    const total = (used.get(key) ?? 0) + run.transcriptBytes;
    used.set(key, total);
    if (total > cap) over.push(run.id);
  }
  if (over.length > 0) {
    const capped = await db().fetchRun.updateMany({
      where: { id: { in: over } },
      data: { transcript: null, transcriptBytes: 0 },
    });
    dropped += capped.count;
  }
  return dropped;
}
