// Where mail sent through the Microsoft doubles ends up: the rig's SMTP sink folder, in the sink's own format
// (<name>.json envelope, then <name>.eml), so readSink() in e2e/rig/mailbox.ts sees it like mail via Postfix.
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SinkEnvelope } from "../mail/smtp-sink";

export type Outbox = (envelope: { from: string; to: string[] }, raw: Buffer) => Promise<void>;

export function sinkDirOutbox(sinkDir: string): Outbox {
  let sequence = 0;
  return async (envelope, raw) => {
    await mkdir(sinkDir, { recursive: true });
    sequence += 1;
    const name = `${Date.now()}-${process.pid}-ms-${String(sequence).padStart(5, "0")}-${randomBytes(3).toString("hex")}`;
    const record: SinkEnvelope = { from: envelope.from, to: envelope.to, receivedAt: new Date().toISOString() };
    await writeFile(path.join(sinkDir, `${name}.json`), JSON.stringify(record, null, 2));
    // Written last: readers take the .eml's presence as "message complete".
    await writeFile(path.join(sinkDir, `${name}.eml`), raw);
  };
}

/** The header lines of a raw message, folded lines joined. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/);
}

/** The first address of a header (From:, Sender:) of a raw message, lowercase; null when absent. */
export function headerAddress(raw: Buffer, header: string): string | null {
  const line = headerLines(raw).find((l) => l.toLowerCase().startsWith(`${header.toLowerCase()}:`));
  if (!line) return null;
  const value = line.slice(header.length + 1);
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const bare = /([^\s<>,;:"]+@[^\s<>,;:"]+)/.exec(value);
  return (angle?.[1] ?? bare?.[1] ?? null)?.toLowerCase() ?? null;
}

/** Every address of every `header:` line (To:, Cc:, Bcc:) of a raw message, lowercase. */
export function headerAddresses(raw: Buffer, header: string): string[] {
  return headerLines(raw)
    .filter((line) => line.toLowerCase().startsWith(`${header}:`))
    .flatMap((line) => line.slice(header.length + 1).match(/[^\s<>,;:"]+@[^\s<>,;:"]+/g) ?? [])
    .map((address) => address.toLowerCase());
}
