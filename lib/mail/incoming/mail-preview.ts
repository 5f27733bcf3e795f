// A fetched mail as the console shows it: chosen headers, plain text, HTML made safe (no scripts, no event
// handlers, no remote images, no forms) and the attachment list — never the attachments' content.
import type { Readable } from "node:stream";
import { simpleParser, type AddressObject } from "mailparser";
import sanitizeHtml from "sanitize-html";

export type MailPreview = {
  subject: string;
  from: string;
  to: string;
  cc: string;
  date: string | null;
  messageId: string | null;
  headers: { name: string; value: string }[];
  text: string;
  textTruncated: boolean;
  safeHtml: string | null;
  attachments: { filename: string; contentType: string; size: number }[];
  size: number;
};

const MAX_TEXT = 20_000;
const MAX_HTML = 200_000;
const SHOWN_HEADERS = ["from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to", "references", "auto-submitted", "precedence", "content-type"];

function addresses(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return "";
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(", ");
}

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html.slice(0, MAX_HTML), {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "font", "center"],
    allowedAttributes: {
      a: ["href", "title"],
      img: ["src", "alt", "width", "height"],
      font: ["color", "size"],
      td: ["colspan", "rowspan", "align", "valign"],
      th: ["colspan", "rowspan", "align", "valign"],
      "*": ["dir", "lang"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    // Remote images would tell the sender the mail was opened: only inline data images stay.
    allowedSchemesByTag: { img: ["data"] },
    allowProtocolRelative: false,
    transformTags: { a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow", target: "_blank" }) },
  });
}

/** Parses a raw MIME stream (at most `maxBytes`; larger mail is cut and flagged by mailparser's partial parse). */
export async function previewMail(raw: Readable): Promise<MailPreview> {
  let size = 0;
  raw.on("data", (chunk: Buffer) => (size += chunk.length));
  const parsed = await simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
  const text = parsed.text ?? "";
  const headers: { name: string; value: string }[] = [];
  for (const line of parsed.headerLines) {
    const name = line.key.toLowerCase();
    if (!SHOWN_HEADERS.includes(name)) continue;
    const value = line.line.slice(line.line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " ").trim();
    headers.push({ name: line.line.slice(0, line.line.indexOf(":")), value });
  }
  return {
    subject: parsed.subject ?? "",
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    date: parsed.date ? parsed.date.toISOString() : null,
    messageId: parsed.messageId ?? null,
    headers,
    text: text.slice(0, MAX_TEXT),
    textTruncated: text.length > MAX_TEXT,
    safeHtml: typeof parsed.html === "string" ? sanitizeMailHtml(parsed.html) : null,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? "(no name)", contentType: a.contentType, size: a.size })),
    size,
  };
}
