// What Graph and EWS report about a message (subject, addresses, body, attachments), read from its MIME
// once and cached: a message's content never changes under the same folder GUID and UID.
import { simpleParser, type AddressObject } from "mailparser";

export type Address = { name: string; address: string };

export type MessageSummary = {
  subject: string;
  from: Address | null;
  sender: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  internetMessageId: string;
  inReplyTo: string | null;
  references: string | null;
  sentAt: Date | null;
  hasAttachments: boolean;
  body: { contentType: "html" | "text"; content: string };
  /** the plain-text body (derived from the HTML when there is no text part) */
  textBody: string;
  bodyPreview: string;
};

const MAX_CACHED = 2000;
const cache = new Map<string, MessageSummary>();

/** The summary of the message stored under `cacheKey`; `load` reads its MIME (null: message gone) on a cache miss. */
export async function summarize(cacheKey: string, load: () => Promise<Buffer | null>): Promise<MessageSummary | null> {
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const raw = await load();
  if (raw === null) return null;
  const summary = await parse(raw);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey, summary);
  return summary;
}

async function parse(raw: Buffer): Promise<MessageSummary> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const text = mail.text ?? "";
  const html = typeof mail.html === "string" ? mail.html : null;
  const references = Array.isArray(mail.references) ? mail.references.join(" ") : (mail.references ?? null);
  return {
    subject: mail.subject ?? "",
    from: addresses(mail.from)[0] ?? null,
    sender: addresses(mail.headers.get("sender") as AddressObject | undefined)[0] ?? addresses(mail.from)[0] ?? null,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    bcc: addresses(mail.bcc),
    replyTo: addresses(mail.replyTo),
    internetMessageId: mail.messageId ?? "",
    inReplyTo: mail.inReplyTo ?? null,
    references,
    sentAt: mail.date ?? null,
    hasAttachments: mail.attachments.some(
      (attachment) => attachment.contentDisposition !== "inline" && !attachment.related,
    ),
    body: html !== null ? { contentType: "html", content: html } : { contentType: "text", content: text },
    textBody: text,
    bodyPreview: text.replace(/\s+/g, " ").trim().slice(0, 255),
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: Address[] = [];
  const walk = (entries: { name: string; address?: string; group?: { name: string; address?: string }[] }[]) => {
    for (const entry of entries) {
      if (entry.group) walk(entry.group);
      else if (entry.address) out.push({ name: entry.name || entry.address, address: entry.address });
    }
  };
  for (const object of objects) walk(object.value);
  return out;
}
