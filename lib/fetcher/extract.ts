// The second stage: text, HTML and attachments of stored mail, parsed after the request exists. A mail that
// cannot be parsed keeps its request and raw message and is flagged; it never holds up the ones after it.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { log } from "@/lib/log";
import { readStoredFiles } from "@/lib/requests";
import { crashPoint } from "./crash-point";
import { ingestDb } from "./ingest-db";
import { absolutePath } from "./raw-store";

const MAX_EXTRACT_BYTES = 48 * 1024 * 1024;
const MAX_TEXT = 1024 * 1024;
const MAX_HTML = 2 * 1024 * 1024;
const MAX_ATTACHMENTS = 100;
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
type Extracted = { id: string; text: string; html: string | null; files: (string | number)[][] };

type Failed = { id: string; failed: string };

/** Loaded on first use: a fetch that stores no new mail never pays for the MIME parser. */
let parser: Promise<typeof import("mailparser")> | null = null;

/** A group's raw mails, each batch file opened once. */
async function readGroup(rows: Row[]): Promise<(Buffer | Failed)[]> {
  const wanted = rows.filter((row) => row.rawSize <= MAX_EXTRACT_BYTES);
  const raws = await readStoredFiles(wanted.map((row) => row.rawPath));
  const read = new Map(wanted.map((row, i) => [row.id, raws[i]]));
  return rows.map((row) => {
    const raw = read.get(row.id);
    if (!raw) return { id: row.id, failed: "too large to show (the raw message is kept)" };
    return raw instanceof Error ? unparsable(row, raw) : raw;
  });
}

function unparsable(row: Row, error: unknown): Failed {
  log.warn("mail extraction failed", {
    ingestId: row.id,
    error: error instanceof Error ? error.message : String(error),
  });
  return { id: row.id, failed: "the message could not be parsed (the raw message is kept)" };
}

async function extractOne(row: Row, raw: Buffer | Failed): Promise<Extracted | Failed> {
  if (!Buffer.isBuffer(raw)) return raw;
  try {
    const { simpleParser } = await (parser ??= import("mailparser"));
    // No text-to-HTML conversion: the viewer shows the text itself.
    const parsed = await simpleParser(raw, {
      skipImageLinks: true,
      skipTextLinks: true,
      skipTextToHtml: true,
      maxHtmlLengthToParse: MAX_HTML,
    });
    const dir = path.join("mail", row.mailboxId.replace(/[^A-Za-z0-9_-]/g, "_"), "attachments", row.id);
    const files = await Promise.all(
      parsed.attachments.slice(0, MAX_ATTACHMENTS).map(async (attachment, position) => {
        const storagePath = path.join(dir, String(position));
        await mkdir(path.dirname(absolutePath(storagePath)), { recursive: true });
        await writeFile(absolutePath(storagePath), attachment.content);
        const type = (attachment.contentType || "application/octet-stream").slice(0, 200);
        return [
          randomUUID(),
          row.id,
          position,
          safeFilename(attachment.filename, position),
          type,
          attachment.size ?? attachment.content.length,
          storagePath,
        ];
      }),
    );
    return {
      id: row.id,
      text: (parsed.text ?? "").slice(0, MAX_TEXT),
      html: typeof parsed.html === "string" ? parsed.html.slice(0, MAX_HTML) : null,
      files,
    };
  } catch (error) {
    return unparsable(row, error);
  }
}

/**
 * One transaction for a group of extracted mails (attachments replaced, so a repeated extraction is harmless).
 * Not waited on to reach the disk: lost to a power loss, the mails are pending again and extracted again.
 */
async function saveExtracted(results: (Extracted | Failed)[]): Promise<void> {
  const done = results.filter((r): r is Extracted => !("failed" in r));
  await ingestDb().transaction(
    async (sql) => {
      for (const result of results) {
        if ("failed" in result)
          await sql.run(
            `UPDATE "IngestedMail" SET "extractState" = 'failed', "reason" = COALESCE("reason", ?) WHERE "id" = ?`,
            [result.failed, result.id],
          );
      }
      if (done.length === 0) return;
      // One statement each for the group's old attachments and its new ones (at most 100 per mail, 100 rows a statement).
      await sql.run(
        `DELETE FROM "MailAttachment" WHERE "ingestId" IN (${done.map(() => "?").join(", ")})`,
        done.map((r) => r.id),
      );
      const files = done.flatMap((r) => r.files);
      for (let i = 0; i < files.length; i += 100) {
        const chunk = files.slice(i, i + 100);
        await sql.run(
          `INSERT INTO "MailAttachment" ("id", "ingestId", "position", "filename", "contentType", "size", "storagePath") VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
          chunk.flat(),
        );
      }
      // One UPDATE for the group (VALUES columns are column1… in both SQLite and PostgreSQL).
      await sql.run(
        `UPDATE "IngestedMail" SET "extractState" = 'done', "bodyText" = v.column2, "bodyHtml" = v.column3 FROM (VALUES ${done.map(() => "(?, ?, ?)").join(", ")}) AS v WHERE "IngestedMail"."id" = v.column1`,
        done.flatMap((r) => [r.id, r.text, r.html]),
      );
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

/** Extracts up to `limit` pending mails (of one mailbox, or all), oldest first; returns how many it handled. */
export async function extractPending(
  opts: { mailboxId?: string; limit?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const rows = await ingestDb().transaction(
    (sql) =>
      sql.all<Row>(
        `SELECT "id", "mailboxId", "rawPath", "rawSize" FROM "IngestedMail" WHERE "extractState" = 'pending'${opts.mailboxId ? ` AND "mailboxId" = ?` : ""} ORDER BY "fetchedAt" LIMIT ?`,
        [...(opts.mailboxId ? [opts.mailboxId] : []), opts.limit ?? 500],
      ),
    // Only reads: no sync to wait for.
    { durable: false },
  );
  // Files are read a group ahead, so reading the next group overlaps parsing this one.
  const groups = groupsOf(rows);
  const readAhead = (i: number) => (i < groups.length ? readGroup(groups[i]) : null);
  let next = readAhead(0);
  for (const [i, group] of groups.entries()) {
    const raws = await next!;
    if (opts.signal?.aborted) break;
    next = readAhead(i + 1);
    const results = [];
    for (const [j, row] of group.entries()) {
      results.push(await extractOne(row, raws[j]));
      crashPoint("mid-extraction");
    }
    await saveExtracted(results);
  }
  return rows.length;
}
