import "server-only";
// One scheduled (or "Fetch now") fetch of one mailbox: claim its lease, connect, ingest, extract, record the
// run and the mailbox's health, and plan the next fetch (the interval, or an exponential back-off capped by
// MAILBRIDGE_FETCH_MAX_BACKOFF_MINUTES after failures).
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import {
  createSource,
  MailStepError,
  recordRun,
  sourceConfigForMailbox,
  StepRecorder,
  type AfterFetchAction,
} from "@/lib/mail/incoming";
import { TranscriptRecorder } from "@/lib/mail/transcript";
import { extractAlongside, type Extraction } from "./extract-alongside";
import { endMailboxIncident, noteMailboxFailure } from "./incident";
import { ingestDb } from "./ingest-db";
import { ingestMailbox, type IngestTotals } from "./ingest-run";

export { ingestDb };
import { claimLease, keepLease, releaseLease } from "./lease";

/** A fetch never runs longer than this; its socket waits have their own, shorter deadlines. */
const RUN_DEADLINE_MS = 15 * 60_000;

export type FetchOutcome =
  | { status: "busy" }
  | { status: "skipped"; reason: string }
  | { status: "ok"; runId: string; totals: IngestTotals }
  | { status: "failed"; runId: string; error: string; step: string };

export function backoffMinutes(intervalMin: number, failures: number): number {
  return Math.min(intervalMin * 2 ** Math.max(0, failures - 1), config().fetch.maxBackoffMinutes);
}

export async function fetchMailbox(
  mailboxId: string,
  opts: { userId?: string; signal?: AbortSignal } = {},
): Promise<FetchOutcome> {
  const lease = await claimLease(mailboxId);
  if (!lease) return { status: "busy" };
  const controller = new AbortController();
  const stopKeeping = keepLease(lease, controller);
  const signal = AbortSignal.any([
    controller.signal,
    AbortSignal.timeout(RUN_DEADLINE_MS),
    ...(opts.signal ? [opts.signal] : []),
  ]);
  try {
    const row = await db().incomingMailbox.findUnique({ where: { id: mailboxId } });
    if (!row) return { status: "skipped", reason: "the mailbox no longer exists" };
    if (!row.enabled) return { status: "skipped", reason: "the mailbox is disabled" };
    const startedAt = new Date();
    const transcript = row.debug ? new TranscriptRecorder({ secrets: [row.password] }) : undefined;
    const steps = new StepRecorder((text) => transcript?.redactor.redact(text) ?? text);
    const afterFetch = { action: row.afterFetch as AfterFetchAction, moveToFolder: row.moveToFolder };
    let totals: IngestTotals | null = null;
    let failure: MailStepError | null = null;
    try {
      const session = await createSource(await sourceConfigForMailbox(row)).connect({ steps, transcript, signal });
      let extraction: Extraction | undefined;
      try {
        await session.openFolder(row.folder, { readOnly: afterFetch.action === "leave" });
        extraction = extractAlongside({ mailboxId, signal });
        totals = await ingestMailbox({
          db: ingestDb(),
          lease,
          session,
          mailbox: { ...row, afterFetch },
          batchSize: config().fetch.batchSize,
          signal,
          onCommitted: extraction.committed,
        });
      } catch (error) {
        await extraction?.finish(false).catch(() => undefined);
        throw error;
      } finally {
        await session.close().catch(() => undefined);
      }
      await extraction.finish(true);
    } catch (error) {
      failure = error instanceof MailStepError ? error : steps.fail("fetch", error);
    }
    const now = new Date();
    const errorText = failure ? (failure.raw ? `${failure.message}: ${failure.raw}` : failure.message) : undefined;
    const failures = failure ? row.consecutiveFailures + 1 : 0;
    const reconnect =
      failure &&
      (failure.step === "token" || (failure.step === "authenticate" && row.authType === "oauth")) &&
      (await needsReconnect(row.connectionId));
    await db().incomingMailbox.updateMany({
      where: { id: mailboxId, leaseEpoch: lease.epoch },
      data: failure
        ? {
            status: reconnect ? "reconnect_needed" : "failing",
            consecutiveFailures: failures,
            lastError: errorText,
            lastErrorHint: failure.hint ? JSON.stringify(failure.hint) : null,
            nextFetchAt: new Date(now.getTime() + backoffMinutes(row.fetchIntervalMin, failures) * 60_000),
          }
        : {
            status: "ok",
            consecutiveFailures: 0,
            lastError: null,
            lastErrorHint: null,
            lastFetchAt: now,
            nextFetchAt: new Date(now.getTime() + row.fetchIntervalMin * 60_000),
          },
    });
    // The notice is a side matter: its failure must not lose the run's record.
    await (
      failure
        ? noteMailboxFailure(
            { id: mailboxId, name: row.name },
            { failures, reconnect: Boolean(reconnect), error: errorText!, hint: failure.hint },
          )
        : endMailboxIncident(mailboxId)
    ).catch((error: unknown) =>
      log.warn("fetcher: could not update the mailbox incident", { mailboxId, error: (error as Error).message }),
    );
    const runId = await recordRun({
      mailboxId,
      kind: "fetch",
      userId: opts.userId ?? "",
      startedAt,
      ok: !failure,
      steps: steps.steps,
      error: errorText,
      hint: failure?.hint ?? undefined,
      mailsFetched: totals?.stored ?? 0,
      transcript,
    });
    return failure
      ? { status: "failed", runId, error: failure.message, step: failure.step }
      : { status: "ok", runId, totals: totals! };
  } finally {
    stopKeeping();
    await releaseLease(lease).catch(() => undefined);
  }
}

async function needsReconnect(connectionId: string | null): Promise<boolean> {
  if (!connectionId) return false;
  const connection = await db().oAuthConnection.findUnique({ where: { id: connectionId }, select: { status: true } });
  return connection?.status === "reconnect_needed";
}
