// A fetched mail as the console shows it: chosen headers, plain text, HTML made safe and the attachment list —
// never the attachments' content. Mail from strangers is hostile: huge headers, thousands of parts, garbage
// or nothing at all. What can be read is shown, with a plain explanation of what could not; the parser's
// own words appear only as a labelled detail.
import { logUnexpected } from "@/lib/log";
import { sanitizeMailHtml } from "@/lib/mail/display";
import {
  addressText,
  MAX_CHILD_NODES,
  MAX_HEAD_SIZE,
  ParseDeadlineError,
  parseMime,
  type MimeParse,
  type ParsedAttachment,
} from "./mime-parse";
import { bodyOffset, countAttachments, headerFields, partStart, type HeaderField } from "./mime-scan";

export type MailPreview = {
  subject: string;
  from: string;
  to: string;
  cc: string;
  date: string | null;
  messageId: string | null;
  headers: HeaderField[];
  text: string;
  textTruncated: boolean;
  safeHtml: string | null;
  /** at most MAX_LISTED_ATTACHMENTS by name */
  attachments: ParsedAttachment[];
  /** every attachment found, listed or not */
  attachmentCount: number;
  /** the whole message's size in bytes (as the server reported it, or as read) */
  size: number;
  /** bytes the preview read; less than `size` when the message was cut at the preview's limit */
  bytesRead: number;
  /** false when something of the message is not shown */
  complete: boolean;
  /** plain explanations of what is not shown and why */
  notices: string[];
  /** the parser's own message, for the curious; never shown without its label */
  parserSaid: string | null;
};

export type PreviewInput = {
  raw: Buffer;
  /** the size the server reported */
  size?: number;
  /** `raw` is only the start of the message */
  truncated?: boolean;
  /** why the message stopped arriving early, in the mail library's words */
  interrupted?: string;
};

const MAX_TEXT = 20_000;
/** parts parsed again when the whole message could not be parsed */
const FIRST_PARTS = 20;
const SHOWN_HEADERS = [
  "from",
  "to",
  "cc",
  "reply-to",
  "subject",
  "date",
  "message-id",
  "in-reply-to",
  "references",
  "auto-submitted",
  "precedence",
  "content-type",
];
const ENVELOPE_HEADERS = SHOWN_HEADERS.filter((name) => name !== "content-type");

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function explain(error: Error): string {
  if (error instanceof ParseDeadlineError) return "The message took too long to read, so it is shown only in part.";
  if (/header size/i.test(error.message))
    return `The message has a header larger than the preview reads (${MAX_HEAD_SIZE / 1024} KiB per part), so it could not be read whole.`;
  if (/child nodes/i.test(error.message))
    return `The message has more parts than the preview reads (more than ${MAX_CHILD_NODES}), so it could not be read whole.`;
  return "The message is not well-formed MIME, so it could not be read whole.";
}

function shownHeaders(fields: HeaderField[]): HeaderField[] {
  return fields
    .filter((f) => SHOWN_HEADERS.includes(f.name.toLowerCase()))
    .map((f) => ({ name: f.name, value: f.value.trim() }));
}

function fieldsOf(parse: MimeParse): HeaderField[] {
  return parse.headerLines
    .filter((line) => /^[!-9;-~]+$/.test(line.key))
    .map((line) => ({
      name: line.line.slice(0, line.line.indexOf(":")),
      value: line.line.slice(line.line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " "),
    }));
}

function startsLikeMail(raw: Buffer): boolean {
  return /^(?:[!-9;-~]{1,76}:|From )/.test(raw.subarray(0, 100).toString("latin1"));
}

/** The top-level header cut down to the envelope fields (bounded), plus the body from `bodyEnd`. */
function rebuilt(raw: Buffer, opts: { keepContentType: boolean; bodyEnd: number | null }): Buffer {
  const keep = opts.keepContentType ? SHOWN_HEADERS : ENVELOPE_HEADERS;
  const header = headerFields(raw)
    .filter((f) => keep.includes(f.name.toLowerCase()))
    .map((f) => `${f.name}: ${f.value}\r\n`)
    .join("");
  const start = bodyOffset(raw);
  const body =
    start >= 0 && opts.bodyEnd !== null ? raw.subarray(start, Math.max(start, opts.bodyEnd)) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${header}\r\n`, "latin1"), body]);
}

/** The parser's own words for its known limits; anything else is logged, and only its id is shown. */
function parserWords(error: Error): string {
  if ((error as { code?: unknown }).code === "EMAXLEN" || error instanceof ParseDeadlineError) return error.message;
  return `an unexpected parser error, logged as ${logUnexpected("mail preview parse", error)}`;
}

/** Parses the message; when the parser gives up, parses its first parts, then its header alone. */
async function bestParse(raw: Buffer): Promise<{ parse: MimeParse; notices: string[]; parserSaid: string | null }> {
  const full = await parseMime(raw);
  if (!full.error) return { parse: full, notices: [], parserSaid: null };
  const notices = [explain(full.error)];
  const parserSaid = parserWords(full.error);
  // The first parts, then only the first one: a bad part further in is left out.
  for (const parts of [FIRST_PARTS, 1]) {
    const cut = partStart(raw, parts + 1);
    const firstParts = await parseMime(rebuilt(raw, { keepContentType: true, bodyEnd: cut >= 0 ? cut : raw.length }));
    if (!firstParts.error && firstParts.headerLines.length > 0) {
      notices.push(
        cut >= 0
          ? `Shown: the usual headers and the first ${parts === 1 ? "part" : `${parts} parts`}.`
          : "Shown: the usual headers and the parts that could be read.",
      );
      return { parse: firstParts, notices, parserSaid };
    }
  }
  const headerOnly = await parseMime(rebuilt(raw, { keepContentType: false, bodyEnd: null }));
  notices.push("Shown: the usual headers only; the text and attachments could not be read.");
  return { parse: { ...headerOnly, attachments: [], attachmentCount: 0 }, notices, parserSaid };
}

export async function previewMail(input: PreviewInput): Promise<MailPreview> {
  const { raw } = input;
  const size = Math.max(input.size ?? 0, raw.length);
  if (raw.length === 0) {
    return emptyPreview(size, ["The server returned an empty message (0 bytes): there is nothing to show."]);
  }
  const { parse, notices, parserSaid } = await bestParse(raw);
  // A mail starts with a header field (or an mbox "From " line); anything else is not one, whatever
  // "name: value" lines turn up further in.
  const fields = startsLikeMail(raw) ? fieldsOf(parse) : [];
  if (fields.length === 0)
    notices.unshift(
      "No mail headers were found: this does not look like an e-mail message. The beginning of the data is shown as text.",
    );
  if (input.interrupted) {
    notices.unshift(
      `The connection ended after ${raw.length} bytes of the message had arrived; what arrived is shown (the mail library said: ${input.interrupted}).`,
    );
  } else if (input.truncated || size > raw.length) {
    notices.unshift(
      `The message is ${mib(size)}; the preview reads only its first ${mib(raw.length)}, so later parts and attachments are missing or cut short.`,
    );
  }
  const counted = countAttachments(raw);
  const attachmentCount = Math.max(parse.attachmentCount, counted);
  if (attachmentCount > parse.attachments.length) {
    notices.push(
      `${attachmentCount} attachments${input.truncated ? " counted in the part that was read" : ""}; ${parse.attachments.length === 0 ? "none" : `the first ${parse.attachments.length}`} listed by name.`,
    );
  }
  const text = fields.length === 0 ? raw.subarray(0, MAX_TEXT).toString("utf8") : (parse.text ?? "");
  const headers = fields.length > 0 ? parse.headers : null;
  const date = headers?.get("date");
  const messageId = headers?.get("message-id");
  const subject = headers?.get("subject");
  return {
    subject: typeof subject === "string" ? subject : "",
    from: addressText(headers?.get("from")),
    to: addressText(headers?.get("to")),
    cc: addressText(headers?.get("cc")),
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    messageId: typeof messageId === "string" ? messageId : null,
    headers: shownHeaders(fields),
    text: text.slice(0, MAX_TEXT),
    textTruncated: text.length > MAX_TEXT,
    safeHtml: parse.html !== null ? sanitizeMailHtml(parse.html) : null,
    attachments: parse.attachments,
    attachmentCount,
    size,
    bytesRead: raw.length,
    complete: notices.length === 0,
    notices,
    parserSaid,
  };
}

function emptyPreview(size: number, notices: string[]): MailPreview {
  return {
    subject: "",
    from: "",
    to: "",
    cc: "",
    date: null,
    messageId: null,
    headers: [],
    text: "",
    textTruncated: false,
    safeHtml: null,
    attachments: [],
    attachmentCount: 0,
    size,
    bytesRead: 0,
    complete: false,
    notices,
    parserSaid: null,
  };
}
