// The headers the hot path needs to store a mail and decide its thread, read from the header block only (a
// full parse of bodies and attachments happens later, off the hot path). Mail from strangers is hostile: the
// block is bounded, and anything unreadable yields empty values plus a reason, never an exception.
import { simpleParser, type AddressObject } from "mailparser";

/** Header blocks beyond this are cut: no legitimate mail needs more, and the parse must stay cheap. */
export const MAX_HEADER_BYTES = 256 * 1024;

export type KeyHeaders = {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  subject: string;
  fromAddress: string;
  fromName: string;
  date: Date | null;
  autoSubmitted: string | null;
  precedence: string | null;
  autoResponseSuppress: string | null;
  contentType: string;
  /** set when the mail is not well-formed enough to trust its headers */
  malformed: string | null;
};

function headerBlock(raw: Buffer): { block: Buffer; complete: boolean } {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((n) => n >= 0 && n <= limit);
  if (ends.length === 0) return { block: raw.subarray(0, limit), complete: raw.length <= limit };
  return { block: raw.subarray(0, Math.min(...ends)), complete: true };
}

const ids = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === "string" ? value.split(/\s+/) : [])
    .map((id) => normalizeMessageId(String(id)))
    .filter((id): id is string => id !== null);

/** `<id@host>` in one canonical form (angle brackets, no spaces), or null for something that is not one. */
export function normalizeMessageId(value: string): string | null {
  const trimmed = value.trim().replace(/^<|>$/g, "").trim();
  if (!trimmed || trimmed.length > 998 || /[\s<>]/.test(trimmed)) return null;
  return `<${trimmed}>`;
}

function text(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "value" in value && typeof (value as { value: unknown }).value === "string") {
    return (value as { value: string }).value;
  }
  return null;
}

export async function readKeyHeaders(raw: Buffer): Promise<KeyHeaders> {
  const { block, complete } = headerBlock(raw);
  const looksLikeMail = /^[\x21-\x39\x3b-\x7e]+:/.test(block.subarray(0, 200).toString("latin1"));
  const parsed = await simpleParser(block, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }).catch(() => null);
  const from = (parsed?.from as AddressObject | undefined)?.value?.[0];
  const headers = parsed?.headers;
  const malformed = !parsed || !looksLikeMail ? "the message has no readable header block" : !complete ? "the header block is larger than 256 KiB" : null;
  return {
    messageId: parsed?.messageId ? normalizeMessageId(parsed.messageId) : null,
    inReplyTo: ids(parsed?.inReplyTo),
    references: ids(parsed?.references),
    subject: (parsed?.subject ?? "").slice(0, 998),
    fromAddress: (from?.address ?? "").toLowerCase().slice(0, 320),
    fromName: (from?.name ?? "").slice(0, 200),
    date: parsed?.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    autoSubmitted: text(headers?.get("auto-submitted")),
    precedence: text(headers?.get("precedence")),
    autoResponseSuppress: text(headers?.get("x-auto-response-suppress")),
    contentType: text(headers?.get("content-type"))?.toLowerCase() ?? "text/plain",
    malformed,
  };
}
