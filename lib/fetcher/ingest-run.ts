// One fetch of one mailbox over an open session: the first connection takes a baseline; then what the server
// lists after the cursor is fetched in batches, each committed with the cursor in one transaction, and only
// then acted on (mark read, move, delete). Interrupted actions of an earlier run are finished first.
import {
  cursorCovers,
  MailStepError,
  type AfterFetch,
  type IncomingSession,
  type ListedMessage,
  type SourceCursor,
} from "@/lib/mail/incoming";
import { MAX_HEADER_BYTES, readKeyHeaders } from "@/lib/requests";
import { cursorThrough, cutBatches, sourceKeyOf, type Batch } from "./batches";
import { commitBatch, knownSourceKeys, markAfterFetchDone, pendingAfterFetch, type PreparedMail } from "./commit-batch";
import { crashPoint } from "./crash-point";
import type { IngestDb } from "./ingest-db";
import type { Lease } from "./lease";
import { storeRaw, streamRaw } from "./raw-store";

export type MailboxState = {
  id: string;
  cursor: string | null;
  baselineCursor: string | null;
  importSince: Date | null;
  disableNewRequests: boolean;
  afterFetch: AfterFetch;
};

export type IngestTotals = {
  listed: number;
  stored: number;
  requests: number;
  replies: number;
  skipped: number;
  afterFetch: number;
};

type Run = {
  db: IngestDb;
  lease: Lease;
  session: IncomingSession;
  mailbox: MailboxState;
  batchSize: number;
  signal: AbortSignal;
};

function parseCursor(text: string | null): SourceCursor | null {
  return text ? (JSON.parse(text) as SourceCursor) : null;
}

/** First connection: from now on (or since the chosen date); the cursor of "now" marks what counts as imported. */
async function takeBaseline(run: Run): Promise<{ cursor: SourceCursor | null; now: SourceCursor | null }> {
  const { session, mailbox } = run;
  const now = await session.baseline();
  const start = mailbox.importSince ? await session.baseline({ since: mailbox.importSince }) : now;
  const importTotal =
    start?.protocol === "imap" && now?.protocol === "imap" ? Math.max(0, now.lastUid - start.lastUid) : 0;
  await commitBatch(run.db, {
    mailboxId: mailbox.id,
    lease: run.lease,
    cursor: JSON.stringify(start),
    afterFetchPending: false,
    disableNewRequests: mailbox.disableNewRequests,
    mails: [],
    baseline: { cursor: JSON.stringify(now ?? { importAll: true }), importTotal },
  });
  crashPoint("after-cursor-baseline");
  return { cursor: start, now };
}

function isImported(baseline: unknown, cursor: SourceCursor, id: string, firstListing: boolean): boolean {
  const base = baseline as (SourceCursor & { importAll?: undefined }) | { importAll: true } | null;
  if (!base) return false;
  if ("importAll" in base && base.importAll) return firstListing;
  return cursorCovers(base, cursor, id) ?? firstListing;
}

/** The batch's mails ready to commit, and the messages the server refused singly (Graph/EWS answer per message). */
type PreparedBatch = { mails: PreparedMail[]; failed: { id: string; error: Error }[] };

async function prepareBatch(
  run: Run,
  batch: Batch,
  listingCursor: SourceCursor,
  imported: (id: string) => boolean,
): Promise<PreparedBatch> {
  const prepared: PreparedMail[] = [];
  const failed: PreparedBatch["failed"] = [];
  const take = async (id: string, raw: Parameters<typeof readKeyHeaders>[0], stored: PreparedMail["raw"]) => {
    crashPoint("after-raw-write");
    prepared.push({
      sourceKey: sourceKeyOf(listingCursor, id),
      raw: stored,
      headers: await readKeyHeaders(raw),
      imported: imported(id),
    });
  };
  if (batch.streamed) {
    const id = batch.messages[0].id;
    const stored = await streamRaw(run.mailbox.id, await run.session.fetchRaw(id), MAX_HEADER_BYTES);
    await take(id, stored.head, stored);
  } else {
    const fetched: { id: string; raw: Buffer }[] = [];
    await run.session.fetchBatch(batch.messages, (message) => void fetched.push(message), {
      signal: run.signal,
      onItemError: (id, error) => failed.push({ id, error }),
    });
    // The batch is bounded in count and bytes; its files are written side by side, in listing order afterwards.
    const stored = await Promise.all(fetched.map(({ raw }) => storeRaw(run.mailbox.id, raw)));
    for (const [i, { id, raw }] of fetched.entries()) await take(id, raw, stored[i]);
  }
  return { mails: prepared, failed };
}

/** The run's failure once the rest of a batch is stored: the refused messages are fetched again next run. */
function itemFailure(failed: PreparedBatch["failed"]): MailStepError {
  const first = failed[0].error as Error & { response?: string };
  return new MailStepError(
    "fetch",
    `${failed.length} message(s) could not be fetched (the others are stored; the next fetch tries again).`,
    `${failed[0].id}: ${first.response ?? first.message}`,
  );
}

async function applyAfterFetch(run: Run, listingCursor: SourceCursor | null, sourceKeys: string[]): Promise<number> {
  const { action } = run.mailbox.afterFetch;
  if (action === "leave" || sourceKeys.length === 0) return 0;
  // IMAP UIDs belong to one UIDVALIDITY: keys of an earlier one name no message any more.
  const prefix = listingCursor?.protocol === "imap" ? `${listingCursor.uidValidity}:` : "";
  const current = sourceKeys.filter((key) => key.startsWith(prefix));
  const ids = current.map((key) => key.slice(prefix.length));
  await run.session.applyAfterFetchBatch(ids, run.mailbox.afterFetch);
  crashPoint("after-after-fetch");
  await markAfterFetchDone(run.db, run.mailbox.id, sourceKeys);
  return ids.length;
}

export async function ingestMailbox(run: Run): Promise<IngestTotals> {
  const totals: IngestTotals = { listed: 0, stored: 0, requests: 0, replies: 0, skipped: 0, afterFetch: 0 };
  let cursor = parseCursor(run.mailbox.cursor);
  let baseline: unknown = run.mailbox.baselineCursor ? JSON.parse(run.mailbox.baselineCursor) : null;
  let firstListing = false;
  if (!run.mailbox.baselineCursor) {
    const taken = await takeBaseline(run);
    cursor = taken.cursor;
    baseline = taken.now ?? { importAll: true };
    firstListing = true;
    if (!run.mailbox.importSince) return totals;
  }
  const listing = await run.session.listNew(cursor);
  totals.listed = listing.messages.length;
  totals.afterFetch += await applyAfterFetch(run, listing.nextCursor, await pendingAfterFetch(run.db, run.mailbox.id));

  const keyOf = (m: ListedMessage) => sourceKeyOf(listing.nextCursor, m.id);
  const known = await knownSourceKeys(run.db, run.mailbox.id, listing.messages.map(keyOf));
  const skip = new Set(listing.messages.filter((m) => known.has(keyOf(m))).map((m) => m.id));
  totals.skipped = skip.size;
  const imported = (id: string) => isImported(baseline, listing.nextCursor, id, firstListing);
  const batches = cutBatches(listing.messages, skip, run.batchSize);
  if (batches.length === 0 && JSON.stringify(listing.nextCursor) !== JSON.stringify(cursor)) {
    await commitBatch(run.db, {
      mailboxId: run.mailbox.id,
      lease: run.lease,
      cursor: JSON.stringify(listing.nextCursor),
      afterFetchPending: false,
      disableNewRequests: run.mailbox.disableNewRequests,
      mails: [],
    });
  }
  // Pipelined: the next batch is fetched (and its files written) while this one commits. The after-fetch action
  // needs the connection, so it waits for that fetch; it still runs only after its own batch committed. Once
  // the run is aborted, what was fetched still commits, and nothing more is fetched.
  const prepare = (i: number) =>
    i < batches.length && !run.signal.aborted ? prepareBatch(run, batches[i], listing.nextCursor, imported) : null;
  let next = prepare(0);
  let done = 0;
  let committedCursor = cursor;
  for (const [i, batch] of batches.entries()) {
    if (!next) break;
    const { mails, failed } = await next;
    next = prepare(i + 1);
    // Whatever happens to this batch, the next fetch's outcome is observed (a failure there surfaces in its turn).
    next?.catch(() => undefined);
    // With a refused message the cursor stays where it was: the ledger skips what this batch stored.
    if (failed.length === 0) committedCursor = cursorThrough(listing, cursor, batch.lastIndex);
    const committed = await commitBatch(run.db, {
      mailboxId: run.mailbox.id,
      lease: run.lease,
      cursor: JSON.stringify(committedCursor),
      afterFetchPending: run.mailbox.afterFetch.action !== "leave",
      disableNewRequests: run.mailbox.disableNewRequests,
      mails,
    });
    crashPoint("after-commit");
    const inserted = committed.filter((c) => c.inserted);
    totals.stored += inserted.length;
    totals.requests += inserted.filter((c) => c.state === "request_created").length;
    totals.replies += inserted.filter((c) => c.state === "reply_added").length;
    if (run.mailbox.afterFetch.action !== "leave") {
      // A failed next fetch leaves this batch's action pending in the ledger: the next run applies it first.
      await next?.catch(() => undefined);
      totals.afterFetch += await applyAfterFetch(
        run,
        listing.nextCursor,
        committed.map((c) => c.sourceKey),
      );
    }
    if (failed.length > 0) throw itemFailure(failed);
    done++;
  }
  if (done < batches.length) run.signal.throwIfAborted();
  return totals;
}
