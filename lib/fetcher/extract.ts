// The second stage: text, HTML and attachments of stored mail, parsed after the request exists. A mail that
// cannot be parsed keeps its request and raw message and is flagged; it never holds up the ones after it.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { simpleParser } from "mailparser";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { crashPoint } from "./crash-point";
import { ingestDb } from "./ingest-db";
import { absolutePath } from "./raw-store";

const MAX_EXTRACT_BYTES = 48 * 1024 * 1024;
const MAX_TEXT = 1024 * 1024;
const MAX_HTML = 2 * 1024 * 1024;
const MAX_ATTACHMENTS = 100;
/** extracted mails saved per transaction */
const GROUP = 25;

/** A file name that is safe to store and to offer for download: no paths, no control characters. */
export function safeFilename(name: string | undefined, position: number): string {
  const base = (name ?? "").normalize("NFC").replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").replace(/[\\/:*?"<>|]/g, "_").trim();
  const cleaned = base.replace(/^\.+/, "").slice(0, 200);
  return cleaned || `attachment-${position + 1}`;
}

type Row = { id: string; mailboxId: string; rawPath: string; rawSize: number };
type Extracted = { id: string; text: string; html: string | null; files: (string | number)[][] };

async function extractOne(row: Row): Promise<Extracted | { id: string; failed: string }> {
  if (row.rawSize > MAX_EXTRACT_BYTES) return { id: row.id, failed: "too large to show (the raw message is kept)" };
  try {
    const raw = await readFile(absolutePath(row.rawPath));
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: MAX_HTML });
    const dir = path.join("mail", row.mailboxId.replace(/[^A-Za-z0-9_-]/g, "_"), "attachments", row.id);
    const files = await Promise.all(
      parsed.attachments.slice(0, MAX_ATTACHMENTS).map(async (attachment, position) => {
        const storagePath = path.join(dir, String(position));
        await mkdir(path.dirname(absolutePath(storagePath)), { recursive: true });
        await writeFile(absolutePath(storagePath), attachment.content);
        const type = (attachment.contentType || "application/octet-stream").slice(0, 200);
        return [randomUUID(), row.id, position, safeFilename(attachment.filename, position), type, attachment.size ?? attachment.content.length, storagePath];
      }),
    );
    return { id: row.id, text: (parsed.text ?? "").slice(0, MAX_TEXT), html: typeof parsed.html === "string" ? parsed.html.slice(0, MAX_HTML) : null, files };
  } catch (error) {
    log.warn("mail extraction failed", { ingestId: row.id, error: error instanceof Error ? error.message : String(error) });
    return { id: row.id, failed: "the message could not be parsed (the raw message is kept)" };
  }
}

/** One transaction for a group of extracted mails (attachments replaced, so a repeated extraction is harmless). */
async function saveExtracted(results: Awaited<ReturnType<typeof extractOne>>[]): Promise<void> {
  await ingestDb().transaction(async (sql) => {
    for (const result of results) {
      if ("failed" in result) {
        await sql.run(`UPDATE "IngestedMail" SET "extractState" = 'failed', "reason" = COALESCE("reason", ?) WHERE "id" = ?`, [result.failed, result.id]);
        continue;
      }
      await sql.run(`DELETE FROM "MailAttachment" WHERE "ingestId" = ?`, [result.id]);
      for (const file of result.files) {
        await sql.run(`INSERT INTO "MailAttachment" ("id", "ingestId", "position", "filename", "contentType", "size", "storagePath") VALUES (?, ?, ?, ?, ?, ?, ?)`, file);
      }
      await sql.run(`UPDATE "IngestedMail" SET "extractState" = 'done', "bodyText" = ?, "bodyHtml" = ? WHERE "id" = ?`, [result.text, result.html, result.id]);
    }
  });
}

/** Extracts up to `limit` pending mails (of one mailbox, or all), oldest first; returns how many it handled. */
export async function extractPending(opts: { mailboxId?: string; limit?: number; signal?: AbortSignal } = {}): Promise<number> {
  const rows = await db().ingestedMail.findMany({
    where: { extractState: "pending", ...(opts.mailboxId ? { mailboxId: opts.mailboxId } : {}) },
    orderBy: { fetchedAt: "asc" },
    take: opts.limit ?? 500,
    select: { id: true, mailboxId: true, rawPath: true, rawSize: true },
  });
  for (let i = 0; i < rows.length; i += GROUP) {
    if (opts.signal?.aborted) break;
    const results = [];
    for (const row of rows.slice(i, i + GROUP)) {
      results.push(await extractOne(row));
      crashPoint("mid-extraction");
    }
    await saveExtracted(results);
  }
  return rows.length;
}
