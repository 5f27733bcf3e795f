// Raw messages and attachments live as files under the data directory; the database holds their references:
// a relative path (the whole file), or `<path>@<offset>+<length>` for one mail inside a batch file (the fetcher
// writes a batch's small mails into one file, so one fsync makes the whole batch durable).
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { config } from "@/lib/config";

export function storedFilePath(relativePath: string): string {
  const root = path.resolve(config().dataDir);
  const full = path.resolve(root, relativePath);
  if (!full.startsWith(root + path.sep)) throw new Error("a stored path left the data directory");
  return full;
}

export type StoredRange = { file: string; offset: number; length: number | null };

const RANGED = /^(.+)@(\d+)\+(\d+)$/;

/** The reference of `length` bytes at `offset` of the file at `relativePath`. */
export function rangeReference(relativePath: string, offset: number, length: number): string {
  return `${relativePath}@${offset}+${length}`;
}

/** Where a reference points: the absolute file, and the byte range in it (length null: the whole file). */
export function resolveStoredReference(reference: string): StoredRange {
  const ranged = RANGED.exec(reference);
  if (!ranged) return { file: storedFilePath(reference), offset: 0, length: null };
  return { file: storedFilePath(ranged[1]), offset: Number(ranged[2]), length: Number(ranged[3]) };
}

/** A stored file (or range) as a web stream, for a download response. */
export function openStoredFile(reference: string): ReadableStream<Uint8Array> {
  const { file, offset, length } = resolveStoredReference(reference);
  const stream =
    length === null
      ? createReadStream(file)
      : length === 0
        ? Readable.from([])
        : createReadStream(file, { start: offset, end: offset + length - 1 });
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
}

/** A stored file (or range) read whole; a range that the file does not hold is an error, never a short read. */
export async function readStoredFile(reference: string): Promise<Buffer> {
  const { file, offset, length } = resolveStoredReference(reference);
  const handle = await open(file, "r");
  try {
    if (length === null) return await handle.readFile();
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new Error(`the stored file ends before byte ${offset + length}`);
      done += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}
