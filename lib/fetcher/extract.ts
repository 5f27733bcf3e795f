// The second stage: text, HTML and attachments of stored mail, parsed after the request exists. A mail that
// cannot be parsed keeps its request and raw message and is flagged; it never holds up the ones after it.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { simpleParser } from "mailparser";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { crashPoint } from "./crash-point";
import { absolutePath } from "./raw-store";

const MAX_EXTRACT_BYTES = 48 * 1024 * 1024;
const MAX_TEXT = 1024 * 1024;
const MAX_HTML = 2 * 1024 * 1024;
const MAX_ATTACHMENTS = 100;

/** A file name that is safe to store and to offer for download: no paths, no control characters. */
export function safeFilename(name: string | undefined, position: number): string {
  const base = (name ?? "").normalize("NFC").replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").replace(/[\\/:*?"<>|]/g, "_").trim();
  const cleaned = base.replace(/^\.+/, "").slice(0, 200);
  return cleaned || `attachment-${position + 1}`;
}

async function extractOne(row: { id: string; mailboxId: string; rawPath: string; rawSize: number }): Promise<void> {
  if (row.rawSize > MAX_EXTRACT_BYTES) {
    await db().ingestedMail.update({ where: { id: row.id }, data: { extractState: "failed", reason: "too large to show (the raw message is kept)" } });
    return;
  }
  const raw = await readFile(absolutePath(row.rawPath));
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: MAX_HTML });
  const attachments = parsed.attachments.slice(0, MAX_ATTACHMENTS);
  const dir = path.join("mail", row.mailboxId.replace(/[^A-Za-z0-9_-]/g, "_"), "attachments", row.id);
  const files = await Promise.all(
    attachments.map(async (attachment, position) => {
      const storagePath = path.join(dir, String(position));
      await mkdir(path.dirname(absolutePath(storagePath)), { recursive: true });
      await writeFile(absolutePath(storagePath), attachment.content);
      return {
        ingestId: row.id,
        position,
        filename: safeFilename(attachment.filename, position),
        contentType: (attachment.contentType || "application/octet-stream").slice(0, 200),
        size: attachment.size ?? attachment.content.length,
        storagePath,
      };
    }),
  );
  crashPoint("mid-extraction");
  const html = typeof parsed.html === "string" ? parsed.html.slice(0, MAX_HTML) : null;
  await db().$transaction([
    db().mailAttachment.deleteMany({ where: { ingestId: row.id } }),
    db().mailAttachment.createMany({ data: files }),
    db().ingestedMail.update({ where: { id: row.id }, data: { extractState: "done", bodyText: (parsed.text ?? "").slice(0, MAX_TEXT), bodyHtml: html } }),
  ]);
}

/** Extracts up to `limit` pending mails (of one mailbox, or all), oldest first; returns how many it handled. */
export async function extractPending(opts: { mailboxId?: string; limit?: number; signal?: AbortSignal } = {}): Promise<number> {
  const rows = await db().ingestedMail.findMany({
    where: { extractState: "pending", ...(opts.mailboxId ? { mailboxId: opts.mailboxId } : {}) },
    orderBy: { fetchedAt: "asc" },
    take: opts.limit ?? 500,
    select: { id: true, mailboxId: true, rawPath: true, rawSize: true },
  });
  for (const row of rows) {
    if (opts.signal?.aborted) break;
    try {
      await extractOne(row);
    } catch (error) {
      log.warn("mail extraction failed", { ingestId: row.id, error: error instanceof Error ? error.message : String(error) });
      await db().ingestedMail.update({ where: { id: row.id }, data: { extractState: "failed", reason: "the message could not be parsed (the raw message is kept)" } });
    }
  }
  return rows.length;
}
