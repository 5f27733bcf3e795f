// One batch of fetched mail becomes ledger rows, requests and replies, and the mailbox's cursor moves past
// it — all in one transaction, fenced by the lease epoch: a process that lost the mailbox cannot write.
import { createHash } from "node:crypto";
import { automaticMailReason, referencedMessageIds, taggedRequestNumber, type KeyHeaders } from "@/lib/requests/ingest";
import { crashPoint } from "./crash-point";
import { orderedId } from "./ordered-id";
import type { IngestDb, IngestSql } from "./ingest-db";
import type { StoredRaw } from "./raw-store";

/** Reading commits nothing, so it waits for no sync. */
const READ_ONLY = { durable: false };

export type PreparedMail = { sourceKey: string; raw: StoredRaw; headers: KeyHeaders; imported: boolean };

export type MailState = "request_created" | "reply_added" | "not_a_request" | "auto_reply" | "duplicate" | "flagged";

export type CommittedMail = { sourceKey: string; state: MailState; requestId: string | null; inserted: boolean };

export type BatchInput = {
  mailboxId: string;
  lease: { owner: string; epoch: number };
  /** the cursor (JSON) once this batch is stored */
  cursor: string;
  /** false when the after-fetch action is "leave": the row needs nothing more */
  afterFetchPending: boolean;
  disableNewRequests: boolean;
  mails: PreparedMail[];
  /** first connection only: the cursor of "now" (JSON) and how many existing mails are to be imported */
  baseline?: { cursor: string; importTotal: number };
};

export class LeaseLostError extends Error {
  constructor(mailboxId: string) {
    super(`another process took over mailbox ${mailboxId}`);
    this.name = "LeaseLostError";
  }
}

type Decision = { state: MailState; reason: string | null; requestId: string | null; newRequest: boolean };
type Param = string | number | boolean | Date | null;

/** What one transaction knows while it stores a batch: looked up once per batch, then kept up to date in memory. */
type BatchState = {
  known: Map<string, { state: MailState; requestId: string | null }>;
  dedupeKeys: Set<string>;
  nextNumber: number;
  /** Message-IDs and request numbers of requests created or answered earlier in this batch */
  threads: Map<string, string>;
  numbers: Map<number, string>;
  /** what the database held when the batch began, for every Message-ID and request number it references */
  stored: { byMessageId: Map<string, string>; byOutbox: Map<string, string>; byNumber: Map<number, string> };
  /** rows to insert, each table's laid out flat (REQUEST_WIDTH, INGEST_WIDTH values a row) */
  requests: Param[];
  ingests: Param[];
  replies: Map<string, number>;
};

const REQUEST_WIDTH = 9;
const INGEST_WIDTH = 18;

const inList = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/**
 * Rows whose `column` is one of `values`, in statements of at most 500 values, all issued at once; `params` are
 * the `select`'s own placeholders.
 */
async function rowsIn<T>(
  sql: IngestSql,
  select: string,
  column: string,
  values: Param[],
  params: Param[] = [],
): Promise<T[]> {
  const chunks: Promise<T[]>[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    chunks.push(sql.all<T>(`${select} AND "${column}" IN (${inList(chunk.length)})`, [...params, ...chunk]));
  }
  return (await Promise.all(chunks)).flat();
}

/** The requests that stored mail with these Message-IDs belongs to (the IN list follows, see rowsIn). */
export const STORED_THREADS_SQL = `SELECT "messageId" AS "key", "requestId" FROM "IngestedMail" WHERE "requestId" IS NOT NULL`;

/** First row per key (the per-mail lookups took any one row: `LIMIT 1`). */
function firstBy<K>(rows: { key: K; requestId: string }[]): Map<K, string> {
  const map = new Map<K, string>();
  for (const row of rows) if (!map.has(row.key)) map.set(row.key, row.requestId);
  return map;
}

/**
 * Everything a batch looks up, in one go (one round trip on PostgreSQL): the ledger's rows for these mails, the
 * requests their Message-IDs and tags point to, and the highest request number. The batch's own rows are not
 * written yet, so nothing planned later could change what these statements return.
 */
async function loadState(sql: IngestSql, input: BatchInput, dedupeKeys: string[]): Promise<BatchState> {
  const keys = input.mails.map((m) => m.sourceKey);
  const ids = [...new Set(input.mails.flatMap((m) => referencedMessageIds(m.headers)))];
  const numbers = [
    ...new Set(input.mails.map((m) => taggedRequestNumber(m.headers.subject)).filter((n) => n !== null)),
  ];
  const [known, dupes, max, byMessageId, byOutbox, byNumber] = await Promise.all([
    sql.all<{ sourceKey: string; state: MailState; requestId: string | null }>(
      `SELECT "sourceKey", "state", "requestId" FROM "IngestedMail" WHERE "mailboxId" = ? AND "sourceKey" IN (${inList(keys.length)})`,
      [input.mailboxId, ...keys],
    ),
    sql.all<{ dedupeKey: string }>(
      `SELECT "dedupeKey" FROM "IngestedMail" WHERE "mailboxId" = ? AND "dedupeKey" IN (${inList(dedupeKeys.length)})`,
      [input.mailboxId, ...dedupeKeys],
    ),
    sql.get<{ n: number | string | null }>(`SELECT MAX("number") AS n FROM "Request"`),
    rowsIn<{ key: string; requestId: string }>(sql, STORED_THREADS_SQL, "messageId", ids),
    // An answer to a reply we sent from the console, even when the customer's client dropped the older References.
    rowsIn<{ key: string; requestId: string }>(
      sql,
      `SELECT "messageId" AS "key", "requestId" FROM "OutboxMessage" WHERE "requestId" IS NOT NULL`,
      "messageId",
      ids,
    ),
    rowsIn<{ key: number | string; requestId: string }>(
      sql,
      `SELECT "number" AS "key", "id" AS "requestId" FROM "Request" WHERE 1 = 1`,
      "number",
      numbers,
    ),
  ]);
  return {
    stored: {
      byMessageId: firstBy(byMessageId),
      byOutbox: firstBy(byOutbox),
      byNumber: firstBy(byNumber.map((r) => ({ key: Number(r.key), requestId: r.requestId }))),
    },
    known: new Map(known.map((k) => [k.sourceKey, { state: k.state, requestId: k.requestId }])),
    dedupeKeys: new Set(dupes.map((d) => d.dedupeKey)),
    nextNumber: Number(max?.n ?? 0) + 1,
    threads: new Map(),
    numbers: new Map(),
    requests: [],
    ingests: [],
    replies: new Map(),
  };
}

function threadOf(state: BatchState, h: KeyHeaders): string | null {
  for (const id of referencedMessageIds(h)) {
    const found = state.threads.get(id) ?? state.stored.byMessageId.get(id) ?? state.stored.byOutbox.get(id);
    if (found) return found;
  }
  const tagged = taggedRequestNumber(h.subject);
  if (tagged !== null) return state.numbers.get(tagged) ?? state.stored.byNumber.get(tagged) ?? null;
  return null;
}

function decide(state: BatchState, input: BatchInput, mail: PreparedMail, duplicate: boolean): Decision {
  const h = mail.headers;
  if (duplicate)
    return {
      state: "duplicate",
      reason: "the same mail (Message-ID and content) is already stored",
      requestId: null,
      newRequest: false,
    };
  if (h.malformed) return { state: "flagged", reason: h.malformed, requestId: null, newRequest: false };
  const automatic = automaticMailReason(h);
  if (automatic) return { state: "auto_reply", reason: automatic, requestId: null, newRequest: false };
  const thread = threadOf(state, h);
  if (thread) return { state: "reply_added", reason: null, requestId: thread, newRequest: false };
  if (input.disableNewRequests)
    return {
      state: "not_a_request",
      reason: "new request creation is disabled for this mailbox",
      requestId: null,
      newRequest: false,
    };
  return { state: "request_created", reason: null, requestId: orderedId(), newRequest: true };
}

function dedupeKeyOf(mail: PreparedMail): string {
  return createHash("sha256")
    .update(`${mail.headers.messageId ?? ""}\n${mail.raw.sha256}`)
    .digest("hex");
}

function planOne(
  state: BatchState,
  input: BatchInput,
  mail: PreparedMail,
  dedupeKey: string,
  now: Date,
): CommittedMail {
  const known = state.known.get(mail.sourceKey);
  if (known) return { sourceKey: mail.sourceKey, state: known.state, requestId: known.requestId, inserted: false };
  const d = decide(state, input, mail, state.dedupeKeys.has(dedupeKey));
  const h = mail.headers;
  if (d.newRequest && d.requestId) {
    const number = state.nextNumber++;
    state.numbers.set(number, d.requestId);
    state.requests.push(
      d.requestId,
      number,
      input.mailboxId,
      h.subject,
      h.fromAddress,
      h.fromName,
      h.date ?? now,
      now,
      now,
    );
  } else if (d.requestId) {
    state.replies.set(d.requestId, (state.replies.get(d.requestId) ?? 0) + 1);
  }
  const ingestId = orderedId();
  state.ingests.push(
    ingestId,
    input.mailboxId,
    mail.sourceKey,
    d.state === "duplicate" ? null : dedupeKey,
    h.messageId,
    mail.raw.sha256,
    mail.raw.relativePath,
    mail.raw.size,
    h.subject,
    h.fromAddress,
    h.fromName,
    h.date,
    now,
    d.state,
    d.reason,
    !input.afterFetchPending,
    mail.imported,
    d.requestId,
  );
  if (d.requestId && h.messageId) state.threads.set(h.messageId, d.requestId);
  if (d.state !== "duplicate") state.dedupeKeys.add(dedupeKey);
  state.known.set(mail.sourceKey, { state: d.state, requestId: d.requestId });
  return { sourceKey: mail.sourceKey, state: d.state, requestId: d.requestId, inserted: true };
}

const ROWS_PER_INSERT = 100;

/** The text of an INSERT of `count` rows, built once per table and row count (the driver caches by text). */
const insertTexts = new Map<string, string>();

function insertText(table: string, columns: string, placeholders: string, count: number): string {
  const key = `${table}\n${count}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    text = `INSERT INTO "${table}" (${columns}) VALUES ${Array.from({ length: count }, () => placeholders).join(", ")}`;
    insertTexts.set(key, text);
  }
  return text;
}

/** Multi-row INSERTs of rows laid out flat (`width` values each), a bounded number per statement; issued, not awaited. */
function insertRows(
  sql: IngestSql,
  table: string,
  columns: string,
  placeholders: string,
  width: number,
  rows: Param[],
): Promise<number>[] {
  const statements: Promise<number>[] = [];
  const count = rows.length / width;
  for (let i = 0; i < count; i += ROWS_PER_INSERT) {
    const n = Math.min(ROWS_PER_INSERT, count - i);
    const params = i === 0 && n === count ? rows : rows.slice(i * width, (i + n) * width);
    statements.push(sql.run(insertText(table, columns, placeholders, n), params));
  }
  return statements;
}

/** The batch's writes, in order and all issued at once (one round trip on PostgreSQL); the caller awaits them. */
function writeRows(sql: IngestSql, state: BatchState, now: Date): Promise<number>[] {
  const writes: Promise<number>[] = [];
  writes.push(
    ...insertRows(
      sql,
      "Request",
      `"id", "number", "mailboxId", "subject", "fromAddress", "fromName", "status", "messageCount", "lastMessageAt", "createdAt", "updatedAt"`,
      "(?, ?, ?, ?, ?, ?, 'open', 1, ?, ?, ?)",
      REQUEST_WIDTH,
      state.requests,
    ),
  );
  crashPoint("mid-insert");
  for (const [requestId, count] of state.replies) {
    writes.push(
      sql.run(
        `UPDATE "Request" SET "messageCount" = "messageCount" + ?, "lastMessageAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
        [count, now, now, requestId],
      ),
    );
  }
  writes.push(
    ...insertRows(
      sql,
      "IngestedMail",
      `"id", "mailboxId", "sourceKey", "dedupeKey", "messageId", "rawSha256", "rawPath", "rawSize", "subject", "fromAddress", "fromName", "sentAt", "fetchedAt", "state", "reason", "extractState", "afterFetchDone", "imported", "requestId"`,
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
      INGEST_WIDTH,
      state.ingests,
    ),
  );
  return writes;
}

export async function commitBatch(db: IngestDb, input: BatchInput): Promise<CommittedMail[]> {
  const dedupeKeys = input.mails.map(dedupeKeyOf);
  return db.transaction(async (sql) => {
    const now = new Date();
    // The fence first: it also takes the write lock, so the whole batch sees one consistent state. The reads are
    // issued behind it without waiting for its answer; they run after it, and a lost lease rolls them back.
    const fence = sql.run(
      `UPDATE "IncomingMailbox" SET "cursor" = ?, "updatedAt" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "leaseEpoch" = ?`,
      [input.cursor, now, input.mailboxId, input.lease.owner, input.lease.epoch],
    );
    const baseline = input.baseline
      ? sql.run(
          `UPDATE "IncomingMailbox" SET "baselineCursor" = ?, "importTotal" = ?, "importDone" = 0 WHERE "id" = ? AND "leaseOwner" = ? AND "leaseEpoch" = ?`,
          [input.baseline.cursor, input.baseline.importTotal, input.mailboxId, input.lease.owner, input.lease.epoch],
        )
      : null;
    const loaded = input.mails.length === 0 ? null : loadState(sql, input, dedupeKeys);
    const [fenced, , state] = await Promise.all([fence, baseline, loaded]);
    if (fenced !== 1) throw new LeaseLostError(input.mailboxId);
    if (!state) return [];
    const results: CommittedMail[] = [];
    for (const [i, mail] of input.mails.entries()) {
      results.push(planOne(state, input, mail, dedupeKeys[i], now));
      crashPoint("mid-transaction");
    }
    const writes = writeRows(sql, state, now);
    const inserted = results.filter((r) => r.inserted).length;
    const imported = input.mails.filter((m, i) => m.imported && results[i].inserted).length;
    if (inserted > 0) {
      writes.push(
        sql.run(
          `UPDATE "IncomingMailbox" SET "mailsFetched" = "mailsFetched" + ?, "importDone" = "importDone" + ? WHERE "id" = ?`,
          [inserted, imported, input.mailboxId],
        ),
      );
    }
    // Not awaited: the transaction commits once they all succeeded (on PostgreSQL, in the same round trip).
    void writes;
    crashPoint("before-commit");
    return results;
  });
}

/** Marks the after-fetch action done for these rows (after the server confirmed it). */
export async function markAfterFetchDone(db: IngestDb, mailboxId: string, sourceKeys: string[]): Promise<void> {
  if (sourceKeys.length === 0) return;
  await db.transaction(async (sql) => {
    await Promise.all(
      sourceKeys.map((key) =>
        sql.run(`UPDATE "IngestedMail" SET "afterFetchDone" = true WHERE "mailboxId" = ? AND "sourceKey" = ?`, [
          mailboxId,
          key,
        ]),
      ),
    );
  });
}

export async function pendingAfterFetch(db: IngestDb, mailboxId: string): Promise<string[]> {
  return db.transaction(
    async (sql) =>
      (
        await sql.all<{ sourceKey: string }>(
          `SELECT "sourceKey" FROM "IngestedMail" WHERE "mailboxId" = ? AND "afterFetchDone" = false ORDER BY "fetchedAt"`,
          [mailboxId],
        )
      ).map((r) => r.sourceKey),
    READ_ONLY,
  );
}

/** Of these source keys, the ones the ledger already holds (skipped before fetching). */
export async function knownSourceKeys(db: IngestDb, mailboxId: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  // One read transaction, its statements issued at once: a transaction per 500 keys cost a first import of 2,000
  // mails three more transactions' round trips on PostgreSQL before its first fetch.
  const rows = await db.transaction(
    (sql) =>
      rowsIn<{ sourceKey: string }>(
        sql,
        `SELECT "sourceKey" FROM "IngestedMail" WHERE "mailboxId" = ?`,
        "sourceKey",
        keys,
        [mailboxId],
      ),
    READ_ONLY,
  );
  return new Set(rows.map((row) => row.sourceKey));
}
