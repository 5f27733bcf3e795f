export { purgeOnce, startPurge, PURGE_INTERVAL_MS, type PurgeJob, type PurgeResult } from "./purge";
export { removeMailboxFiles, sweepOrphanFiles, type OrphanSweepResult } from "./orphan-files";
