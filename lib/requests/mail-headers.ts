// The headers the hot path needs to store a mail and decide its thread, read from the header block only: a
// small parser of its own, as a full MIME parse costs more than the fetch (bodies and attachments are parsed
// later, off the hot path). Mail from strangers is hostile: the block is bounded, and anything unreadable
// yields empty values plus a reason, never an exception.
import addressparser from "nodemailer/lib/addressparser/index.js";
import { decodeEncodedWords } from "./encoded-words";

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

const CRLF_CRLF = Buffer.from("\r\n\r\n");
const LF_LF = Buffer.from("\n\n");

function headerBlock(raw: Buffer): { block: Buffer; complete: boolean } {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  const head = raw.subarray(0, limit + 4);
  const crlf = head.indexOf(CRLF_CRLF);
  // Only an earlier bare-LF blank line can end the block first: never scan the body past the CRLF one.
  const lf = (crlf >= 0 ? head.subarray(0, crlf + 2) : head).indexOf(LF_LF);
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((n) => n >= 0 && n <= limit);
  if (ends.length === 0) return { block: raw.subarray(0, limit), complete: raw.length <= limit };
  return { block: raw.subarray(0, Math.min(...ends)), complete: true };
}

/** `<id@host>` in one canonical form (angle brackets, no spaces), or null for something that is not one. */
export function normalizeMessageId(value: string): string | null {
  const trimmed = value.trim().replace(/^<|>$/g, "").trim();
  if (!trimmed || trimmed.length > 998 || /[\s<>]/.test(trimmed)) return null;
  return `<${trimmed}>`;
}

const MESSAGE_ID = /<[^<>\s]{1,998}>/g;

function idsIn(value: string | undefined): string[] {
  return (value?.match(MESSAGE_ID) ?? [])
    .map(normalizeMessageId)
    .filter((id): id is string => id !== null)
    .slice(0, 200);
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * Unfolded header fields by lower-case name, first occurrence wins; null when the block has no header line.
 * Once per mail on the hot path: lines are walked in place, and no closure is made per call.
 */
function fields(block: string): Map<string, string> | null {
  const map = new Map<string, string>();
  let name: string | null = null;
  let value = "";
  for (let start = 0; start <= block.length;) {
    const nl = block.indexOf("\n", start);
    const stop = nl < 0 ? block.length : nl;
    // A line ends at "\n", without the "\r" before it (as split(/\r?\n/) would cut it).
    const line = block.slice(start, stop > start && block.charCodeAt(stop - 1) === 13 ? stop - 1 : stop);
    start = stop + 1;
    if (line === "") break;
    if ((line[0] === " " || line[0] === "\t") && name) {
      value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0 || !FIELD_NAME.test(line.slice(0, colon))) {
      if (map.size === 0 && !name) return null;
      continue;
    }
    if (name && !map.has(name)) map.set(name, value.trim());
    name = line.slice(0, colon).toLowerCase();
    value = line.slice(colon + 1);
  }
  if (name && !map.has(name)) map.set(name, value.trim());
  return map.size > 0 ? map : null;
}

/**
 * `Name <address>` and a bare address in their plainest forms, which addressparser reads the same way (checked
 * against it in the tests); anything else goes through addressparser.
 */
const PLAIN_ADDRESS =
  /^(?:([A-Za-z0-9._'-]+(?: [A-Za-z0-9._'-]+)*)? ?<([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)>|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+))$/;

/** The first address of a From field (name and address), as addressparser reads it. */
export function firstAddress(value: string): { name?: string; address?: string } | undefined {
  const plain = PLAIN_ADDRESS.exec(value);
  if (plain)
    return plain[3] !== undefined ? { name: "", address: plain[3] } : { name: plain[1] ?? "", address: plain[2] };
  try {
    return addressparser(value, { flatten: true })[0];
  } catch {
    return undefined;
  }
}

function dateOf(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value.replace(/\s*\([^)]*\)\s*$/, ""));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function readKeyHeaders(raw: Buffer): KeyHeaders {
  const { block, complete } = headerBlock(raw);
  const map = fields(block.toString("utf8"));
  const get = map ? map.get.bind(map) : () => undefined;
  const from = firstAddress(get("from") ?? "");
  const messageId = idsIn(get("message-id"))[0] ?? null;
  return {
    messageId,
    inReplyTo: idsIn(get("in-reply-to")),
    references: idsIn(get("references")),
    subject: decodeEncodedWords(get("subject") ?? "").slice(0, 998),
    fromAddress: (from?.address ?? "").toLowerCase().slice(0, 320),
    fromName: decodeEncodedWords(from?.name ?? "").slice(0, 200),
    date: dateOf(get("date")),
    autoSubmitted: get("auto-submitted") ?? null,
    precedence: get("precedence") ?? null,
    autoResponseSuppress: get("x-auto-response-suppress") ?? null,
    contentType: (get("content-type") ?? "text/plain").toLowerCase(),
    malformed: !map
      ? "the message has no readable header block"
      : !complete
        ? "the header block is larger than 256 KiB"
        : null,
  };
}
