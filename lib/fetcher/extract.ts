// The second stage: text, HTML and attachments of stored mail, parsed after the request exists, on worker
// threads (extract-pool.ts). A mail that cannot be parsed keeps its request and raw message and is flagged; it
// never holds up the ones after it. A group's attachments are on disk before the commit that references them.
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { rangeReference, resolveStoredReference } from "@/lib/requests/ingest";
import { crashPoint } from "./crash-point";
import { ExtractPool, type AttachmentTarget, type ParseResult, type PoolOptions } from "./extract-pool";
import { ingestDb } from "./ingest-db";
import { absolutePath } from "./raw-store";
import { releaseBuffers } from "./release-buffers";

const MAX_EXTRACT_BYTES = 48 * 1024 * 1024;
/** extracted mails saved per transaction (each commit is a sync to disk), and their raw bytes held at once */
const GROUP = 100;
const GROUP_BYTES = 16 * 1024 * 1024;

/** A file name that is safe to store and to offer for download: no paths, no control characters. */
export function safeFilename(name: string | undefined, position: number): string {
  const base = (name ?? "")
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/[\\/:*?"<>|]/g, "_")
    .trim();
  const cleaned = base.replace(/^\.+/, "").slice(0, 200);
  return cleaned || `attachment-${position + 1}`;
}

type Row = { id: string; mailboxId: string; rawPath: string; rawSize: number };
/** `text` and `html` are UTF-8 bytes, bound as such (the driver copies them; no string is made of them here). */
type Extracted = { id: string; text: Buffer; html: Buffer | null; files: (string | number)[][]; synced: string[] };

type Failed = { id: string; failed: string };

const globalForPool = globalThis as unknown as { mailbridgeExtractPool?: ExtractPool };

function workerFile(): string {
  // Resolved from the project folder at run time, not imported: the bundler never sees it.
  return path.join(process.cwd(), "lib", "fetcher", "extract-worker.mjs");
}

/** The process's extraction workers, started on first use: a fetch that stores no new mail starts none. */
export function extractPool(): ExtractPool {
  const { extractWorkers, extractDeadlineMs } = config().fetch;
  globalForPool.mailbridgeExtractPool ??= new ExtractPool({
    workerFile: workerFile(),
    size: extractWorkers,
    deadlineMs: extractDeadlineMs,
  });
  return globalForPool.mailbridgeExtractPool;
}

/** Stops the workers (on shutdown, after the fetches ended); a later extraction starts new ones. */
export async function closeExtractPool(): Promise<void> {
  const pool = globalForPool.mailbridgeExtractPool;
  globalForPool.mailbridgeExtractPool = undefined;
  await pool?.close();
}

/** For tests: the pool with other options (a hostile-mail worker double, a short deadline). */
export async function replaceExtractPoolForTests(options: Partial<PoolOptions>): Promise<void> {
  await closeExtractPool();
  const { extractWorkers, extractDeadlineMs } = config().fetch;
  globalForPool.mailbridgeExtractPool = new ExtractPool({
    workerFile: workerFile(),
    size: extractWorkers,
    deadlineMs: extractDeadlineMs,
    ...options,
  });
}

function unparsable(row: Row, error: unknown, why = "the message could not be parsed"): Failed {
  log.warn("mail extraction failed", {
    ingestId: row.id,
    error: error instanceof Error ? error.message : String(error),
  });
  return { id: row.id, failed: `${why} (the raw message is kept)` };
}

/** Where a group's attachments of one mailbox go (each worker appends to a file of its own there). */
function attachmentTarget(mailboxId: string): AttachmentTarget {
  const month = new Date().toISOString().slice(0, 7);
  const name = `${Date.now()}-${randomBytes(6).toString("hex")}`;
  const base = path.join("mail", mailboxId.replace(/[^A-Za-z0-9_-]/g, "_"), "attachments", month, name);
  return { relativeBase: base, absoluteBase: absolutePath(base) };
}

function extracted(row: Row, result: ParseResult): Extracted | Failed {
  if (!result.ok) return unparsable(row, new Error(result.reason), result.why);
  const files = result.attachments.map((a, position) => [
    randomUUID(),
    row.id,
    position,
    safeFilename(a.filename ?? undefined, position),
    a.contentType.slice(0, 200),
    a.size,
    rangeReference(a.relativeFile, a.offset, a.length),
  ]);
  return {
    id: row.id,
    text: result.text,
    html: result.html,
    files,
    synced: result.attachments.map((a) => a.absoluteFile),
  };
}

/** One stored mail parsed on a worker, which reads it from its file itself; too large a mail is not read. */
async function parseOne(row: Row, target: AttachmentTarget, signal?: AbortSignal): Promise<Extracted | Failed> {
  if (row.rawSize > MAX_EXTRACT_BYTES) return { id: row.id, failed: "too large to show (the raw message is kept)" };
  let stored;
  try {
    stored = resolveStoredReference(row.rawPath);
  } catch (error) {
    return unparsable(row, error);
  }
  return extracted(row, await extractPool().parseStored(stored, row.rawSize, target, signal));
}

/** A group's mails parsed on the workers; each group's attachments go into files of its own. */
function parseGroup(rows: Row[], signal?: AbortSignal): Promise<(Extracted | Failed)[]> {
  const targets = new Map<string, AttachmentTarget>();
  const targetOf = (mailboxId: string) => {
    if (!targets.has(mailboxId)) targets.set(mailboxId, attachmentTarget(mailboxId));
    return targets.get(mailboxId)!;
  };
  return Promise.all(
    rows.map(async (row) => {
      const result = await parseOne(row, targetOf(row.mailboxId), signal);
      crashPoint("mid-extraction");
      return result;
    }),
  );
}

/** Bytes of bodies per UPDATE statement: a bounded statement (and driver buffer), whatever the group holds. */
const UPDATE_BYTES = 512 * 1024;

/** The group's extracted mails in runs of at most UPDATE_BYTES of text and HTML (a larger mail alone). */
function updateRuns(done: Extracted[]): Extracted[][] {
  const runs: Extracted[][] = [];
  let bytes = 0;
  for (const result of done) {
    const size = result.text.length + (result.html?.length ?? 0);
    const last = runs[runs.length - 1];
    if (!last || bytes + size > UPDATE_BYTES) {
      runs.push([result]);
      bytes = size;
    } else {
      last.push(result);
      bytes += size;
    }
  }
  return runs;
}

/**
 * PostgreSQL compresses every body over 2 KB as it stores it: with lz4 where the server has it, rather than its
 * default pglz, a group of 100 bodies of 26 KB saved in some 15 ms instead of 26 (the server shares the CPU with
 * the parsing workers). For this transaction only; a server without lz4 keeps its default.
 */
const PG_FAST_COMPRESSION = `SELECT set_config('default_toast_compression', 'lz4', true) WHERE EXISTS (SELECT 1 FROM pg_settings WHERE "name" = 'default_toast_compression' AND 'lz4' = ANY("enumvals"))`;

/**
 * One transaction for a group of extracted mails (attachments replaced, so a repeated extraction is harmless).
 * Not waited on to reach the disk: lost to a power loss, the mails are pending again and extracted again.
 * Its statements are issued without awaiting one another (on PostgreSQL they share a round trip, not one each);
 * the transaction commits once they all succeeded. The driver then holds the group's bodies serialized at once,
 * bounded as the group is.
 */
async function saveExtracted(results: (Extracted | Failed)[]): Promise<void> {
  const done = results.filter((r): r is Extracted => !("failed" in r));
  try {
    await saveGroup(results, done);
  } finally {
    // The transaction has ended, so the driver is done with the bodies: their memory goes now, not at the next
    // full collection (a group's bodies, copied from the worker, are some 5 MB).
    releaseBuffers(done.flatMap((r) => (r.html ? [r.text, r.html] : [r.text])));
  }
}

async function saveGroup(results: (Extracted | Failed)[], done: Extracted[]): Promise<void> {
  await ingestDb().transaction(
    async (sql) => {
      for (const result of results) {
        if ("failed" in result)
          void sql.run(
            `UPDATE "IngestedMail" SET "extractState" = 'failed', "reason" = COALESCE("reason", ?) WHERE "id" = ?`,
            [result.failed, result.id],
          );
      }
      if (done.length === 0) return;
      // One statement each for the group's old attachments and its new ones (at most 100 per mail, 100 rows a statement).
      void sql.run(
        `DELETE FROM "MailAttachment" WHERE "ingestId" IN (${done.map(() => "?").join(", ")})`,
        done.map((r) => r.id),
      );
      const files = done.flatMap((r) => r.files);
      for (let i = 0; i < files.length; i += 100) {
        const chunk = files.slice(i, i + 100);
        void sql.run(
          `INSERT INTO "MailAttachment" ("id", "ingestId", "position", "filename", "contentType", "size", "storagePath") VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
          chunk.flat(),
        );
      }
      if (ingestDb().provider === "sqlite") {
        // One prepared statement per mail: SQLite copies an UPDATE … FROM (VALUES …)'s bodies into a temporary
        // table before joining it (measured some 3 times the cost of these), and a statement is no round trip here.
        // The bodies are bound as bytes: CAST stores them as the UTF-8 text they are.
        for (const r of done) {
          void sql.run(
            `UPDATE "IngestedMail" SET "extractState" = 'done', "bodyText" = CAST(? AS TEXT), "bodyHtml" = CAST(? AS TEXT) WHERE "id" = ?`,
            [r.text, r.html, r.id],
          );
        }
        return;
      }
      void sql.get(PG_FAST_COMPRESSION);
      // PostgreSQL: an UPDATE per run of bodies, so no one statement grows with the group (VALUES columns are
      // column1…). The bodies travel as binary parameters of type text: their bytes, checked by the server as UTF-8.
      for (const run of updateRuns(done)) {
        void sql.run(
          `UPDATE "IngestedMail" SET "extractState" = 'done', "bodyText" = v.column2, "bodyHtml" = v.column3 FROM (VALUES ${run.map(() => "(?, ?, ?)").join(", ")}) AS v WHERE "IngestedMail"."id" = v.column1`,
          run.flatMap((r) => [r.id, r.text, r.html]),
        );
      }
    },
    { durable: false },
  );
}

/** Consecutive rows, bounded in count and raw bytes (a larger mail alone). */
function groupsOf(rows: Row[]): Row[][] {
  const groups: Row[][] = [];
  let bytes = 0;
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (!last || last.length >= GROUP || bytes + row.rawSize > GROUP_BYTES) {
      groups.push([row]);
      bytes = row.rawSize;
    } else {
      last.push(row);
      bytes += row.rawSize;
    }
  }
  return groups;
}

/**
 * The oldest pending mails (of one mailbox, or all). Read from the (extractState, mailboxId, fetchedAt) index:
 * with an index on extractState alone SQLite walked the mailbox's rows in fetchedAt order, every row it had ever
 * fetched, on each pass after each fetch (11.6 ms for a mailbox of 10,000 mails, none pending).
 */
export function pendingMailSql(oneMailbox: boolean): string {
  return `SELECT "id", "mailboxId", "rawPath", "rawSize" FROM "IngestedMail" WHERE "extractState" = 'pending'${oneMailbox ? ` AND "mailboxId" = ?` : ""} ORDER BY "fetchedAt" LIMIT ?`;
}

/** Extracts up to `limit` pending mails (of one mailbox, or all), oldest first; returns how many it handled. */
export async function extractPending(
  opts: { mailboxId?: string; limit?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const rows = await ingestDb().transaction(
    (sql) =>
      sql.all<Row>(pendingMailSql(Boolean(opts.mailboxId)), [
        ...(opts.mailboxId ? [opts.mailboxId] : []),
        opts.limit ?? 500,
      ]),
    // Only reads: no sync to wait for.
    { durable: false },
  );
  // Pipelined: while a group's results are synced and committed, the next group is read and parsed.
  const groups = groupsOf(rows);
  const start = (i: number) => {
    if (i >= groups.length || opts.signal?.aborted) return null;
    const parsed = parseGroup(groups[i], opts.signal);
    // Observed here; a failure surfaces when its group's turn comes.
    parsed.catch(() => undefined);
    return parsed;
  };
  let next = start(0);
  for (let i = 0; next; i++) {
    let results: (Extracted | Failed)[];
    try {
      results = await next;
    } catch (error) {
      // Stopped: what is not committed stays pending for the next run.
      if (opts.signal?.aborted) break;
      throw error;
    }
    next = start(i + 1);
    if (opts.signal?.aborted) break;
    // Attachment files (and their directories) reach the disk before the commit that names them.
    await extractPool().sync([...new Set(results.flatMap((r) => ("synced" in r ? r.synced : [])))]);
    await saveExtracted(results);
  }
  return rows.length;
}
