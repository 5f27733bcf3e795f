// One batch of fetched mail becomes ledger rows, requests and replies, and the mailbox's cursor moves past
// it — all in one transaction, fenced by the lease epoch: a process that lost the mailbox cannot write.
import { createHash } from "node:crypto";
import { automaticMailReason, referencedMessageIds, taggedRequestNumber, type KeyHeaders } from "@/lib/requests";
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
  requests: Param[][];
  ingests: Param[][];
  links: Param[][];
  replies: Map<string, number>;
};

const inList = (n: number) => Array.from({ length: n }, () => "?").join(", ");

async function loadState(sql: IngestSql, input: BatchInput, dedupeKeys: string[]): Promise<BatchState> {
  const keys = input.mails.map((m) => m.sourceKey);
  const known = await sql.all<{ sourceKey: string; state: MailState; requestId: string | null }>(
    `SELECT "sourceKey", "state", "requestId" FROM "IngestedMail" WHERE "mailboxId" = ? AND "sourceKey" IN (${inList(keys.length)})`,
    [input.mailboxId, ...keys],
  );
  const dupes = await sql.all<{ dedupeKey: string }>(
    `SELECT "dedupeKey" FROM "IngestedMail" WHERE "mailboxId" = ? AND "dedupeKey" IN (${inList(dedupeKeys.length)})`,
    [input.mailboxId, ...dedupeKeys],
  );
  const max = await sql.get<{ n: number | string | null }>(`SELECT MAX("number") AS n FROM "Request"`);
  return {
    known: new Map(known.map((k) => [k.sourceKey, { state: k.state, requestId: k.requestId }])),
    dedupeKeys: new Set(dupes.map((d) => d.dedupeKey)),
    nextNumber: Number(max?.n ?? 0) + 1,
    threads: new Map(),
    numbers: new Map(),
    requests: [],
    ingests: [],
    links: [],
    replies: new Map(),
  };
}

async function threadOf(sql: IngestSql, state: BatchState, h: KeyHeaders): Promise<string | null> {
  for (const id of referencedMessageIds(h)) {
    const inBatch = state.threads.get(id);
    if (inBatch) return inBatch;
    const row = await sql.get<{ requestId: string }>(
      `SELECT "requestId" FROM "RequestMessage" WHERE "messageId" = ? LIMIT 1`,
      [id],
    );
    if (row) return row.requestId;
    // An answer to a reply we sent from the console, even when the customer's client dropped the older References.
    const ours = await sql.get<{ requestId: string }>(
      `SELECT "requestId" FROM "OutboxMessage" WHERE "messageId" = ? AND "requestId" IS NOT NULL LIMIT 1`,
      [id],
    );
    if (ours) return ours.requestId;
  }
  const tagged = taggedRequestNumber(h.subject);
  if (tagged !== null) {
    const inBatch = state.numbers.get(tagged);
    if (inBatch) return inBatch;
    const row = await sql.get<{ id: string }>(`SELECT "id" FROM "Request" WHERE "number" = ?`, [tagged]);
    if (row) return row.id;
  }
  return null;
}

async function decide(
  sql: IngestSql,
  state: BatchState,
  input: BatchInput,
  mail: PreparedMail,
  duplicate: boolean,
): Promise<Decision> {
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
  const thread = await threadOf(sql, state, h);
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

async function planOne(
  sql: IngestSql,
  state: BatchState,
  input: BatchInput,
  mail: PreparedMail,
  dedupeKey: string,
  now: Date,
): Promise<CommittedMail> {
  const known = state.known.get(mail.sourceKey);
  if (known) return { sourceKey: mail.sourceKey, state: known.state, requestId: known.requestId, inserted: false };
  const d = await decide(sql, state, input, mail, state.dedupeKeys.has(dedupeKey));
  const h = mail.headers;
  if (d.newRequest && d.requestId) {
    const number = state.nextNumber++;
    state.numbers.set(number, d.requestId);
    state.requests.push([
      d.requestId,
      number,
      input.mailboxId,
      h.subject,
      h.fromAddress,
      h.fromName,
      h.date ?? now,
      now,
      now,
    ]);
  } else if (d.requestId) {
    state.replies.set(d.requestId, (state.replies.get(d.requestId) ?? 0) + 1);
  }
  const ingestId = orderedId();
  state.ingests.push([
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
  ]);
  if (d.requestId) {
    state.links.push([orderedId(), d.requestId, ingestId, h.messageId, now]);
    if (h.messageId) state.threads.set(h.messageId, d.requestId);
  }
  if (d.state !== "duplicate") state.dedupeKeys.add(dedupeKey);
  state.known.set(mail.sourceKey, { state: d.state, requestId: d.requestId });
  return { sourceKey: mail.sourceKey, state: d.state, requestId: d.requestId, inserted: true };
}

/** Multi-row INSERTs, a bounded number of rows per statement. */
async function insertRows(
  sql: IngestSql,
  table: string,
  columns: string,
  placeholders: string,
  rows: Param[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    await sql.run(
      `INSERT INTO "${table}" (${columns}) VALUES ${chunk.map(() => placeholders).join(", ")}`,
      chunk.flat(),
    );
  }
}

async function writeRows(sql: IngestSql, state: BatchState, now: Date): Promise<void> {
  await insertRows(
    sql,
    "Request",
    `"id", "number", "mailboxId", "subject", "fromAddress", "fromName", "status", "messageCount", "lastMessageAt", "createdAt", "updatedAt"`,
    "(?, ?, ?, ?, ?, ?, 'open', 1, ?, ?, ?)",
    state.requests,
  );
  for (const [requestId, count] of state.replies) {
    await sql.run(
      `UPDATE "Request" SET "messageCount" = "messageCount" + ?, "lastMessageAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [count, now, now, requestId],
    );
  }
  await insertRows(
    sql,
    "IngestedMail",
    `"id", "mailboxId", "sourceKey", "dedupeKey", "messageId", "rawSha256", "rawPath", "rawSize", "subject", "fromAddress", "fromName", "sentAt", "fetchedAt", "state", "reason", "extractState", "afterFetchDone", "imported", "requestId"`,
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
    state.ingests,
  );
  crashPoint("mid-insert");
  await insertRows(
    sql,
    "RequestMessage",
    `"id", "requestId", "ingestId", "messageId", "createdAt"`,
    "(?, ?, ?, ?, ?)",
    state.links,
  );
}

export async function commitBatch(db: IngestDb, input: BatchInput): Promise<CommittedMail[]> {
  const dedupeKeys = input.mails.map(dedupeKeyOf);
  return db.transaction(async (sql) => {
    const now = new Date();
    // The fence first: it also takes the write lock, so the whole batch sees one consistent state.
    const fenced = await sql.run(
      `UPDATE "IncomingMailbox" SET "cursor" = ?, "updatedAt" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "leaseEpoch" = ?`,
      [input.cursor, now, input.mailboxId, input.lease.owner, input.lease.epoch],
    );
    if (fenced !== 1) throw new LeaseLostError(input.mailboxId);
    if (input.baseline) {
      await sql.run(
        `UPDATE "IncomingMailbox" SET "baselineCursor" = ?, "importTotal" = ?, "importDone" = 0 WHERE "id" = ?`,
        [input.baseline.cursor, input.baseline.importTotal, input.mailboxId],
      );
    }
    if (input.mails.length === 0) return [];
    const state = await loadState(sql, input, dedupeKeys);
    const results: CommittedMail[] = [];
    for (const [i, mail] of input.mails.entries()) {
      results.push(await planOne(sql, state, input, mail, dedupeKeys[i], now));
      crashPoint("mid-transaction");
    }
    await writeRows(sql, state, now);
    const inserted = results.filter((r) => r.inserted).length;
    const imported = input.mails.filter((m, i) => m.imported && results[i].inserted).length;
    if (inserted > 0) {
      await sql.run(
        `UPDATE "IncomingMailbox" SET "mailsFetched" = "mailsFetched" + ?, "importDone" = "importDone" + ? WHERE "id" = ?`,
        [inserted, imported, input.mailboxId],
      );
    }
    crashPoint("before-commit");
    return results;
  });
}

/** Marks the after-fetch action done for these rows (after the server confirmed it). */
export async function markAfterFetchDone(db: IngestDb, mailboxId: string, sourceKeys: string[]): Promise<void> {
  if (sourceKeys.length === 0) return;
  await db.transaction(async (sql) => {
    for (const key of sourceKeys) {
      await sql.run(`UPDATE "IngestedMail" SET "afterFetchDone" = true WHERE "mailboxId" = ? AND "sourceKey" = ?`, [
        mailboxId,
        key,
      ]);
    }
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
  const known = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = await db.transaction(
      (sql) =>
        sql.all<{ sourceKey: string }>(
          `SELECT "sourceKey" FROM "IngestedMail" WHERE "mailboxId" = ? AND "sourceKey" IN (${chunk.map(() => "?").join(", ")})`,
          [mailboxId, ...chunk],
        ),
      READ_ONLY,
    );
    for (const row of rows) known.add(row.sourceKey);
  }
  return known;
}
