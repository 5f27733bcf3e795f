import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { logUnexpected } from "@/lib/log";
import { sweepOrphanFiles, type OrphanSweepResult } from "./orphan-files";

export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type PurgeResult = { oauthStates: number; fetchRuns: number } & OrphanSweepResult;

/**
 * Deletes authorization requests past their expiry, fetch runs older than MAILBRIDGE_DEBUG_LOG_DAYS, and stored
 * mail files that nothing references (orphans of a crash, files of deleted mailboxes).
 */
export async function purgeOnce(now = new Date()): Promise<PurgeResult> {
  const states = await db().oAuthState.deleteMany({ where: { expiresAt: { lt: now } } });
  const cutoff = new Date(now.getTime() - config().debugLogDays * DAY_MS);
  const runs = await db().fetchRun.deleteMany({ where: { startedAt: { lt: cutoff } } });
  const files = await sweepOrphanFiles(now);
  return { oauthStates: states.count, fetchRuns: runs.count, ...files };
}

export type PurgeJob = { stop(): Promise<void> };

/**
 * Runs purgeOnce at start and then every interval. Idempotent, so several processes may run it.
 * stop() waits for a purge in progress, so the caller can close the database afterwards.
 */
export function startPurge(options: { intervalMs?: number } = {}): PurgeJob {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = purgeOnce().catch((error) => logUnexpected("purge of expired records", error));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? PURGE_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
