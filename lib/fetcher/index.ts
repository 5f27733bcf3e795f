import "server-only";
// The scheduled fetcher: every enabled mailbox fetched at its interval, each mail stored exactly once and
// turned into a request (lib/requests decides how). Embedded in the console process, or in worker processes.
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { closeExtractPool } from "./extract";
import { fetchMailbox, type FetchOutcome } from "./fetch-mailbox";
import { closeIngestDb } from "./ingest-db";
import { startScheduler, type Scheduler } from "./scheduler";

export { fetchMailbox, backoffMinutes, type FetchOutcome } from "./fetch-mailbox";
export { closeExtractPool, extractPending, safeFilename } from "./extract";
export { startScheduler, type Scheduler } from "./scheduler";
export { CRASH_POINTS, type CrashPoint } from "./crash-point";
export { importExistingMail } from "./import-existing";
export { importSinceSchema, type ImportSinceInput } from "./import-schema";
export { mailboxHealth, type MailboxHealth } from "./health";
export { FAILURES_BEFORE_NOTICE } from "./incident";

/** How long "Fetch now" waits for a fetch that is already running (scheduled, or by another process). */
const FETCH_NOW_WAIT_MS = 45_000;

const globalForFetcher = globalThis as unknown as { mailbridgeScheduler?: Scheduler };

/** Starts the embedded scheduler once per process (unless MAILBRIDGE_FETCHER=off). */
export function startEmbeddedFetcher(): Scheduler | null {
  if (config().fetcher !== "embedded") return null;
  globalForFetcher.mailbridgeScheduler ??= startScheduler();
  return globalForFetcher.mailbridgeScheduler;
}

export async function stopEmbeddedFetcher(): Promise<void> {
  const scheduler = globalForFetcher.mailbridgeScheduler;
  globalForFetcher.mailbridgeScheduler = undefined;
  await scheduler?.stop();
  await closeFetcherResources();
}

/**
 * Stops what fetching left running in this process, once the fetches ended: the extraction workers (what they
 * left unextracted stays pending for the next start) and the hot path's connection with its checkpoint worker.
 */
export async function closeFetcherResources(): Promise<void> {
  await closeExtractPool();
  await closeIngestDb();
}

/** "Fetch now": runs the fetch at once in this process (after a fetch already running ends) and says how it went. */
export async function fetchNow(mailboxId: string, userId: string): Promise<FetchOutcome> {
  const row = await db().incomingMailbox.findUnique({ where: { id: mailboxId }, select: { enabled: true } });
  if (!row) throw new UserFacingError("This mailbox no longer exists.");
  if (!row.enabled) throw new UserFacingError("This mailbox is disabled: enable it to fetch its mail.");
  const deadline = Date.now() + FETCH_NOW_WAIT_MS;
  for (;;) {
    const outcome = await fetchMailbox(mailboxId, { userId });
    if (outcome.status !== "busy") return outcome;
    if (Date.now() > deadline)
      throw new UserFacingError("This mailbox is being fetched right now; its mail appears when that fetch ends.");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
