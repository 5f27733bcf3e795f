// Raw messages and attachments live as files under the data directory; the database holds their references:
// a relative path (the whole file), or `<path>@<offset>+<length>` for one mail inside a batch file (the fetcher
// writes a batch's small mails into one file, so one fsync makes the whole batch durable).
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { config } from "@/lib/config";

/** A mailbox's folder of stored mail (raw messages, batch files, attachments), relative to the data directory. */
export function mailboxFilesDir(mailboxId: string): string {
  return path.join("mail", mailboxId.replace(/[^A-Za-z0-9_-]/g, "_"));
}

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

async function readRange(handle: FileHandle, { offset, length }: StoredRange): Promise<Buffer> {
  if (length === null) return handle.readFile();
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) throw new Error(`the stored file ends before byte ${offset + length}`);
    done += bytesRead;
  }
  return buffer;
}

/**
 * Stored files (or ranges) read whole, each file opened once (a batch's mails share one); a reference that
 * cannot be read gives its error in its place. A range that the file does not hold is an error, never a short read.
 */
export async function readStoredFiles(references: string[]): Promise<(Buffer | Error)[]> {
  const out: (Buffer | Error)[] = [];
  const byFile = new Map<string, { index: number; range: StoredRange }[]>();
  for (const [index, reference] of references.entries()) {
    try {
      const range = resolveStoredReference(reference);
      byFile.set(range.file, [...(byFile.get(range.file) ?? []), { index, range }]);
    } catch (error) {
      out[index] = error as Error;
    }
  }
  await Promise.all(
    [...byFile].map(async ([file, wanted]) => {
      let handle: FileHandle;
      try {
        handle = await open(file, "r");
      } catch (error) {
        for (const { index } of wanted) out[index] = error as Error;
        return;
      }
      try {
        await Promise.all(
          wanted.map(async ({ index, range }) => {
            out[index] = await readRange(handle, range).catch((error: Error) => error);
          }),
        );
      } finally {
        await handle.close();
      }
    }),
  );
  return out;
}

/** A stored file (or range) read whole. */
export async function readStoredFile(reference: string): Promise<Buffer> {
  const [result] = await readStoredFiles([reference]);
  if (result instanceof Error) throw result;
  return result;
}
