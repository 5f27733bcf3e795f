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
} from "@/lib/mail/incoming/session";
import { MAX_HEADER_BYTES, readKeyHeaders } from "@/lib/requests/ingest";
import { cursorThrough, cutBatches, sourceKeyOf, type Batch } from "./batches";
import { commitBatch, knownSourceKeys, markAfterFetchDone, pendingAfterFetch, type PreparedMail } from "./commit-batch";
import { crashPoint } from "./crash-point";
import { recordImportTotal } from "./import-progress";
import type { IngestDb } from "./ingest-db";
import type { Lease } from "./lease";
import { batchFileWriter, type BatchFileWriter } from "./batch-files";
import { streamRaw } from "./raw-store";
import { releaseBuffers } from "./release-buffers";

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
  /** called after each committed batch of mail */
  onCommitted?: () => void;
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

/**
 * How many batches are fetched ahead of the one committing, and the raw bytes they may hold in memory at once
 * (one batch ahead at least): a batch's raw mail is in memory from its fetch until its file is written. A batch
 * counts with its listed bound while it is fetched, with its fetched bytes until its file is written, then not
 * at all (a written batch holds only its headers): IMAP lists small mails with a bound of 128 KB each, some
 * five times their usual size, which counted until the commit held the fetch to one batch ahead.
 */
const PREFETCH = 3;
const PREFETCH_BYTES = 16 * 1024 * 1024;

/** A streamed mail goes to its file as it arrives: it holds no memory. */
const listedBytes = (batch: Batch) =>
  batch.streamed ? 0 : batch.messages.reduce((sum, m) => sum + (m.size ?? m.sizeAtMost ?? 0), 0);

/**
 * A batch fetched and written: its mails may be committed once `durable` settles (their raw files are on disk);
 * `failed` are the messages the server refused singly (Graph/EWS answer per message).
 */
type PreparedBatch = { mails: PreparedMail[]; durable: Promise<void>; failed: { id: string; error: Error }[] };

type Fetched = { messages: { id: string; raw: Buffer }[]; failed: PreparedBatch["failed"] };

/** The connection's part of a batch: one fetch command; its mails are stored once the connection is free again. */
async function fetchBatch(run: Run, batch: Batch): Promise<Fetched> {
  const fetched: Fetched = { messages: [], failed: [] };
  await run.session.fetchBatch(batch.messages, (message) => void fetched.messages.push(message), {
    signal: run.signal,
    onItemError: (id, error) => fetched.failed.push({ id, error }),
  });
  return fetched;
}

function preparedMail(
  listingCursor: SourceCursor,
  imported: (id: string) => boolean,
  id: string,
  raw: Buffer,
  stored: PreparedMail["raw"],
): PreparedMail {
  crashPoint("after-raw-write");
  return {
    sourceKey: sourceKeyOf(listingCursor, id),
    raw: stored,
    headers: readKeyHeaders(raw),
    imported: imported(id),
  };
}

/** A large message is streamed to its file while the connection is held (it is read from the connection). */
async function streamOne(
  run: Run,
  batch: Batch,
  listingCursor: SourceCursor,
  imported: (id: string) => boolean,
): Promise<PreparedBatch> {
  const id = batch.messages[0].id;
  const stored = await streamRaw(run.mailbox.id, await run.session.fetchRaw(id), MAX_HEADER_BYTES);
  return {
    mails: [preparedMail(listingCursor, imported, id, stored.head, stored)],
    durable: Promise.resolve(),
    failed: [],
  };
}

async function storeBatch(
  run: Run,
  files: BatchFileWriter,
  { messages, failed }: Fetched,
  listingCursor: SourceCursor,
  imported: (id: string) => boolean,
): Promise<PreparedBatch> {
  if (messages.length === 0) return { mails: [], durable: Promise.resolve(), failed };
  // The batch is bounded in count and bytes; its mails are appended to the fetch's batch file, synced while the
  // next batch is fetched.
  const written = await files.write(messages.map((m) => m.raw));
  const mails = messages.map(({ id, raw }, i) => preparedMail(listingCursor, imported, id, raw, written.stored[i]));
  // Written, hashed and their headers read (as strings): nothing reads these bytes again in this process.
  releaseBuffers(messages.map((m) => m.raw));
  return { mails, durable: written.durable, failed };
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
  const files = batchFileWriter(run.mailbox.id);
  try {
    return await fetchListed(run, files, cursor, baseline, firstListing, totals);
  } finally {
    await files.close();
  }
}

/** What the server lists after the cursor, fetched in batches, its raw mail appended through `files`. */
async function fetchListed(
  run: Run,
  files: BatchFileWriter,
  cursor: SourceCursor | null,
  baseline: unknown,
  firstListing: boolean,
  totals: IngestTotals,
): Promise<IngestTotals> {
  const listing = await run.session.listNew(cursor);
  totals.listed = listing.messages.length;
  totals.afterFetch += await applyAfterFetch(run, listing.nextCursor, await pendingAfterFetch(run.db, run.mailbox.id));

  const keyOf = (m: ListedMessage) => sourceKeyOf(listing.nextCursor, m.id);
  const known = await knownSourceKeys(run.db, run.mailbox.id, listing.messages.map(keyOf));
  const skip = new Set(listing.messages.filter((m) => known.has(keyOf(m))).map((m) => m.id));
  totals.skipped = skip.size;
  const imported = (id: string) => isImported(baseline, listing.nextCursor, id, firstListing);
  const toImport = listing.messages.filter((m) => !skip.has(m.id) && imported(m.id)).length;
  if (firstListing || toImport > 0) await recordImportTotal(run.db, run.lease, toImport);
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
  // Pipelined: batches are fetched one after the other (their files written meanwhile), up to PREFETCH batches
  // ahead of the commits, so the writes, the syncs and the commit of one batch never stall the connection. Batches commit in
  // listing order, each once its files are on disk. The connection runs one command at a time: an after-fetch
  // action takes its turn there after its own batch committed. Once the run is aborted or a fetch failed, what
  // was fetched still commits, and nothing more is fetched.
  let connection: Promise<unknown> = Promise.resolve();
  const onConnection = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = connection.then(work);
    connection = turn.catch(() => undefined);
    return turn;
  };
  let stopped = false;
  const prepared: Promise<PreparedBatch | null>[] = [];
  /** per launched batch, the raw bytes it may hold in memory now (see PREFETCH_BYTES) */
  const held: number[] = [];
  let committing = 0;
  const launch = () => {
    let ahead = 0;
    for (let j = committing + 1; j < prepared.length; j++) ahead += held[j];
    while (!stopped && prepared.length < Math.min(committing + 1 + PREFETCH, batches.length)) {
      const index = prepared.length;
      const batch = batches[index];
      if (index > committing + 1 && ahead + listedBytes(batch) > PREFETCH_BYTES) break;
      held[index] = listedBytes(batch);
      if (index > committing) ahead += held[index];
      const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
        try {
          return await work();
        } catch (error) {
          stopped = true;
          throw error;
        }
      };
      // Once its raw mail is written (or dropped), a batch no longer counts, and the next may start.
      const release = () => {
        held[index] = 0;
        launch();
      };
      // The connection is held for the fetch command only: the next batch's fetch starts while this batch's
      // file is written and its headers are read.
      const turn = batch.streamed
        ? onConnection(() =>
            stopped || run.signal.aborted
              ? Promise.resolve(null)
              : guarded(() => streamOne(run, batch, listing.nextCursor, imported)),
          )
        : onConnection(() =>
            stopped || run.signal.aborted ? Promise.resolve(null) : guarded(() => fetchBatch(run, batch)),
          ).then((fetched) => {
            if (!fetched) return null;
            held[index] = fetched.messages.reduce((sum, m) => sum + m.raw.length, 0);
            launch();
            return guarded(() => storeBatch(run, files, fetched, listing.nextCursor, imported));
          });
      // Observed here; a failure surfaces when its batch's turn to commit comes.
      turn.then(release, release);
      prepared.push(turn);
    }
  };
  let done = 0;
  let committedCursor = cursor;
  try {
    for (const [i, batch] of batches.entries()) {
      committing = i;
      launch();
      const ready = await prepared[i];
      if (!ready) break;
      await ready.durable;
      // With a refused message the cursor stays where it was: the ledger skips what this batch stored.
      if (ready.failed.length === 0) committedCursor = cursorThrough(listing, cursor, batch.lastIndex);
      const committed = await commitBatch(run.db, {
        mailboxId: run.mailbox.id,
        lease: run.lease,
        cursor: JSON.stringify(committedCursor),
        afterFetchPending: run.mailbox.afterFetch.action !== "leave",
        disableNewRequests: run.mailbox.disableNewRequests,
        mails: ready.mails,
      });
      crashPoint("after-commit");
      run.onCommitted?.();
      const inserted = committed.filter((c) => c.inserted);
      totals.stored += inserted.length;
      totals.requests += inserted.filter((c) => c.state === "request_created").length;
      totals.replies += inserted.filter((c) => c.state === "reply_added").length;
      if (run.mailbox.afterFetch.action !== "leave") {
        // A failed action leaves this batch's action pending in the ledger: the next run applies it first.
        totals.afterFetch += await onConnection(() =>
          applyAfterFetch(
            run,
            listing.nextCursor,
            committed.map((c) => c.sourceKey),
          ),
        );
      }
      if (ready.failed.length > 0) throw itemFailure(ready.failed);
      done++;
    }
  } finally {
    // Nothing more starts, and nothing still runs (on the connection or writing a file) once this returns.
    stopped = true;
    await connection;
    await Promise.allSettled(prepared);
  }
  if (done < batches.length) run.signal.throwIfAborted();
  return totals;
}
