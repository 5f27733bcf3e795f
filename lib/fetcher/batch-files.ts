// A fetch's small mails, batch after batch, appended to one file (a new one once it reaches BATCH_FILE_BYTES),
// each mail referenced as file + offset + length. The file's directory entry is synced once, when the file is
// made; each batch then costs one write and one data sync (a file per batch had cost an open, a second sync and
// two closes, and 100 mails a file). Bytes that a crash leaves behind the last committed batch are referenced by no
// row; a file that holds no referenced mail is an orphan.
import { createHash, randomBytes } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { mailboxFilesDir, rangeReference } from "@/lib/requests/ingest";
import { absolutePath, inDir, syncDirectory, type StoredRaw } from "./raw-store";

/** Once a file holds this much, the next batch starts a new one. */
export const BATCH_FILE_BYTES = 64 * 1024 * 1024;

/** A batch's mails written; `durable` settles once they (and their file's directory entry) are on disk. */
export type WrittenBatch = { stored: StoredRaw[]; durable: Promise<void> };

export type BatchFileWriter = {
  write(raws: Buffer[]): Promise<WrittenBatch>;
  /** Waits for every write and sync begun, then closes the files; nothing may be written afterwards. */
  close(): Promise<void>;
};

/** At most this many buffers per writev call (the system's IOV_MAX is 1024). */
const WRITEV_BUFFERS = 512;

async function writeAllAt(handle: FileHandle, buffers: Buffer[], at: number): Promise<void> {
  let position = at;
  for (let i = 0; i < buffers.length; i += WRITEV_BUFFERS) {
    let pending = buffers.slice(i, i + WRITEV_BUFFERS);
    while (pending.length > 0) {
      const { bytesWritten } = await handle.writev(pending, position);
      position += bytesWritten;
      // A short write: drop what was written and go on with the rest.
      let skip = bytesWritten;
      while (pending.length > 0 && skip >= pending[0].length) skip -= pending.shift()!.length;
      if (pending.length > 0 && skip > 0) pending = [pending[0].subarray(skip), ...pending.slice(1)];
    }
  }
}

function batchDir(mailboxId: string): string {
  return path.join(mailboxFilesDir(mailboxId), "batches", new Date().toISOString().slice(0, 7));
}

function batchFilePath(mailboxId: string): string {
  return path.join(batchDir(mailboxId), `${Date.now()}-${randomBytes(6).toString("hex")}.mails`);
}

/**
 * Starts making the mailbox's batch directory (and syncing the new entries), so the first batch of a fetch
 * does not wait for it after its mail arrived: on a first import those syncs took some 100 ms. A failure is
 * left to the first write, which tries again.
 */
function prepareBatchDir(mailboxId: string): void {
  Promise.resolve()
    .then(() => inDir(absolutePath(batchDir(mailboxId)), async () => undefined))
    .catch(() => undefined);
}

type OpenFile = { handle: FileHandle; entrySynced: Promise<void> };

/** One file being appended to: its size counts every byte reserved, written yet or not. */
type Slot = {
  relativePath: string;
  file: Promise<OpenFile>;
  size: number;
  failed: boolean;
  /** every write into it, through its data sync */
  work: Promise<unknown>[];
};

function openSlot(mailboxId: string): Slot {
  const relativePath = batchFilePath(mailboxId);
  const target = absolutePath(relativePath);
  const file = inDir(path.dirname(target), () => open(target, "wx")).then((handle) => {
    const entrySynced = syncDirectory(path.dirname(target));
    entrySynced.catch(() => undefined);
    return { handle, entrySynced };
  });
  const slot: Slot = { relativePath, file, size: 0, failed: false, work: [] };
  // A file that could not be made takes no more batches: the next write makes another.
  file.catch(() => (slot.failed = true));
  return slot;
}

/** Closes a slot's file once everything begun in it has settled (a failed close loses nothing synced). */
async function retire(slot: Slot): Promise<void> {
  await Promise.allSettled(slot.work);
  const file = await slot.file.catch(() => null);
  await file?.handle.close().catch(() => undefined);
}

/**
 * Writes the batches of one fetch of `mailboxId`; its directory is made as the writer is. Batches may be written concurrently: each reserves its range
 * of the file when `write` is called, in call order. A failed write leaves its file to the batches already in
 * it; the next batch starts a new file.
 */
export function batchFileWriter(mailboxId: string, opts: { maxFileBytes?: number } = {}): BatchFileWriter {
  const maxFileBytes = opts.maxFileBytes ?? BATCH_FILE_BYTES;
  prepareBatchDir(mailboxId);
  let current: Slot | null = null;
  const retired: Promise<void>[] = [];
  let closed = false;
  const slotFor = (): Slot => {
    if (current && !current.failed && current.size < maxFileBytes) return current;
    if (current) retired.push(retire(current));
    current = openSlot(mailboxId);
    return current;
  };
  return {
    write(raws) {
      if (closed) return Promise.reject(new Error("the batch file writer is closed"));
      const slot = slotFor();
      const start = slot.size;
      const stored: StoredRaw[] = [];
      let offset = start;
      for (const raw of raws) {
        stored.push({
          sha256: createHash("sha256").update(raw).digest("hex"),
          relativePath: rangeReference(slot.relativePath, offset, raw.length),
          size: raw.length,
        });
        offset += raw.length;
      }
      slot.size = offset;
      const written = (async (): Promise<WrittenBatch> => {
        const file = await slot.file;
        try {
          await writeAllAt(file.handle, raws, start);
        } catch (error) {
          slot.failed = true;
          throw error;
        }
        const durable = (async () => {
          await file.entrySynced;
          await file.handle.datasync();
        })();
        // Observed here too: a caller that stops before awaiting it must not leave an unhandled rejection.
        durable.catch(() => undefined);
        return { stored, durable };
      })();
      const settled = written.then((w) => w.durable);
      // Its failure reaches the caller through `written` (and `durable`); closing only waits for it.
      settled.catch(() => undefined);
      slot.work.push(settled);
      return written;
    },
    async close() {
      closed = true;
      if (current) retired.push(retire(current));
      current = null;
      await Promise.all(retired);
    },
  };
}
