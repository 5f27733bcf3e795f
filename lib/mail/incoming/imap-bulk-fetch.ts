// One `UID FETCH <set> (UID BODY.PEEK[])` for a batch, on imapflow's connection. imapflow frames each response
// (line + literals, bounded by its own caps); its generic tokenizer and its FETCH formatter then cost more CPU per
// message than everything the fetcher does after (store, hash, commit). So the one shape servers send for this
// command, `* n FETCH (UID u BODY[] {size}\r\n)` in any order with FLAGS/MODSEQ/RFC822.SIZE beside it, is read
// from the framed bytes directly; anything else goes through imapflow's parser as before (to our handler below).
// The hook is imapflow's internal handleResponse (the version is pinned in package.json; the tests run it).
import type { ImapFlow } from "imapflow";

export type FetchedBody = { uid: number; raw: Buffer };

/** A response as imapflow's framing stream hands it over: the line (literal markers kept) and the literals. */
type Framed = { payload: Buffer; literals: Buffer[] };

type ParsedAttribute = { type?: string; value?: unknown; section?: unknown[]; partial?: unknown } | null;
type ParsedResponse = { attributes?: unknown[] };
type ExecOptions = { untagged: { FETCH: (parsed: ParsedResponse) => Promise<void> } };

/** The parts of imapflow's connection this relies on (internal, pinned version). */
type Internals = {
  exec(command: string, attributes: unknown[], options: ExecOptions): Promise<{ next(): void }>;
  handleResponse(data: unknown): Promise<boolean>;
  currentRequest?: { options?: unknown } | null;
  mailbox?: { uidNext?: number } | false;
};

const HEAD = /^\* \d{1,10} FETCH \(/i;
// One data item of the response; the body is the only literal. Flags are atoms (no quotes, lists or literals).
const ITEM =
  /UID (\d{1,10})|BODY\[\] \{(\d{1,10})\}\r\n|RFC822\.SIZE \d{1,10}|FLAGS \((?:[^\s()"{}[\]]+(?: [^\s()"{}[\]]+)*)?\)|MODSEQ \(\d{1,20}\)/iy;

/** The UID and body of the common response shape, or null for anything else (imapflow's parser takes it). */
export function readFramedBody(payload: Buffer, literals: Buffer[]): FetchedBody | null {
  if (literals.length !== 1 || payload.length > 512) return null;
  const line = payload.toString("latin1");
  const head = HEAD.exec(line);
  if (!head) return null;
  let at = head[0].length;
  let uid: number | null = null;
  let bodies = 0;
  for (;;) {
    ITEM.lastIndex = at;
    const item = ITEM.exec(line);
    if (!item) return null;
    if (item[1] !== undefined) {
      if (uid !== null) return null;
      uid = Number(item[1]);
    } else if (item[2] !== undefined) {
      if (++bodies > 1 || Number(item[2]) !== literals[0].length) return null;
    }
    at = ITEM.lastIndex;
    if (line[at] === ")" && at === line.length - 1) break;
    if (line[at] !== " ") return null;
    at++;
  }
  if (uid === null || uid === 0 || uid > 0xffffffff || bodies !== 1) return null;
  return { uid, raw: literals[0] };
}

/** The same from imapflow's parsed form: `[…, {ATOM UID}, {ATOM n}, {ATOM BODY section []}, literal|string|NIL]`. */
export function parsedBody(parsed: ParsedResponse): FetchedBody | null {
  const items = parsed.attributes?.[1];
  if (!Array.isArray(items)) return null;
  let uid: number | null = null;
  let raw: Buffer | null = null;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = items[i] as ParsedAttribute;
    const value = items[i + 1] as ParsedAttribute;
    if (key?.type !== "ATOM" || typeof key.value !== "string") continue;
    const name = key.value.toUpperCase();
    if (name === "UID" && typeof value?.value === "string" && /^\d{1,10}$/.test(value.value)) {
      uid = Number(value.value);
    } else if (name === "BODY" && Array.isArray(key.section) && key.section.length === 0 && !key.partial) {
      if (Buffer.isBuffer(value?.value)) raw = value.value;
      // A quoted body (a small message, some servers): the tokenizer decoded it as UTF-8.
      else if (typeof value?.value === "string") raw = Buffer.from(value.value);
    }
  }
  return uid && uid <= 0xffffffff && raw ? { uid, raw } : null;
}

/** A UID seen at or past the mailbox's UIDNEXT moves it on, as imapflow's own FETCH handling does. */
function noteUid(internals: Internals, uid: number): void {
  const box = internals.mailbox;
  if (box && (!box.uidNext || box.uidNext <= uid)) box.uidNext = uid + 1;
}

/**
 * Runs the command; `onBody` gets each message as it arrives (it must not throw: collect and decide after).
 * `onLine` gets what imapflow would log for a fast-read response (the transcript), literals as a size marker.
 */
export async function uidFetchBodies(
  client: ImapFlow,
  uids: string,
  onBody: (body: FetchedBody) => void,
  onLine?: (line: string) => void,
): Promise<{ framed: number; parsed: number }> {
  const internals = client as unknown as Internals;
  const counts = { framed: 0, parsed: 0 };
  const options: ExecOptions = {
    untagged: {
      FETCH: async (parsed) => {
        const body = parsedBody(parsed);
        if (!body) return;
        counts.parsed++;
        noteUid(internals, body.uid);
        onBody(body);
      },
    },
  };
  const own = Object.prototype.hasOwnProperty.call(internals, "handleResponse");
  const original = internals.handleResponse;
  internals.handleResponse = async function (this: Internals, data: unknown) {
    const framed = data as Framed;
    // Only a response to this command (imapflow dispatches untagged data to the command on the wire).
    if (internals.currentRequest?.options === options && Buffer.isBuffer(framed?.payload)) {
      const body = readFramedBody(framed.payload, framed.literals ?? []);
      if (body) {
        counts.framed++;
        onLine?.(framed.payload.toString("latin1").replace("\r\n", ""));
        noteUid(internals, body.uid);
        onBody(body);
        return true;
      }
    }
    return original.call(this, data);
  };
  try {
    const response = await internals.exec(
      "UID FETCH",
      [
        { type: "SEQUENCE", value: uids },
        [
          { type: "ATOM", value: "UID" },
          { type: "ATOM", value: "BODY.PEEK", section: [] },
        ],
      ],
      options,
    );
    response.next();
  } finally {
    if (own) internals.handleResponse = original;
    else delete (internals as Partial<Internals>).handleResponse;
  }
  return counts;
}
