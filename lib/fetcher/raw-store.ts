// Raw messages as files under the data directory, on disk (fsynced, with their directory entries) before the
// commit that references them: a batch's small mails share one batch file, a large mail is streamed to a file
// of its own named by its SHA-256. A file that no ledger row references is only an orphan of a crash.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { config } from "@/lib/config";
import { mailboxFilesDir, rangeReference, storedFilePath } from "@/lib/requests/ingest";

export type StoredRaw = { sha256: string; relativePath: string; size: number };

function relativePathOf(mailboxId: string, sha256: string): string {
  return path.join(mailboxFilesDir(mailboxId), sha256.slice(0, 2), `${sha256}.eml`);
}

export const absolutePath = storedFilePath;

/** Directories this process made (or is making): a batch costs a write, not mkdir calls too. */
const madeDirs = new Map<string, Promise<unknown>>();

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A directory just made (`first` being the topmost one mkdir created) survives a power loss once its parents are synced. */
async function syncMade(first: string | undefined, dir: string): Promise<void> {
  if (!first) return;
  for (let d = dir; ; d = path.dirname(d)) {
    await syncDirectory(path.dirname(d));
    if (d === first || d === path.dirname(d)) return;
  }
}

function makeDir(dir: string): Promise<void> {
  return mkdir(dir, { recursive: true }).then((first) => syncMade(first, dir));
}

/** Runs `work` with `dir` in place; if someone removed it since it was made, makes it again, once. */
async function inDir<T>(dir: string, work: () => Promise<T>): Promise<T> {
  let made = madeDirs.get(dir);
  if (!made) {
    made = makeDir(dir);
    madeDirs.set(dir, made);
    made.catch(() => madeDirs.delete(dir));
  }
  await made;
  try {
    return await work();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await makeDir(dir);
    return work();
  }
}

/** Moves a synced temporary file into place, durably (its new directory entry synced too). */
async function placeFile(tmp: string, relativePath: string): Promise<void> {
  const target = absolutePath(relativePath);
  await inDir(path.dirname(target), () => rename(tmp, target));
  await syncDirectory(path.dirname(target));
}

function tmpPath(): string {
  return path.join(
    path.resolve(config().dataDir),
    "mail",
    "tmp",
    `${Date.now()}-${randomBytes(6).toString("hex")}.part`,
  );
}

/** A batch's mails written into one file; `durable` settles once the file and its directory entry are on disk. */
export type WrittenBatch = { stored: StoredRaw[]; durable: Promise<void> };

/** At most this many buffers per writev call (the system's IOV_MAX is 1024). */
const WRITEV_BUFFERS = 512;

async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let position = 0;
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
export function prepareBatchDir(mailboxId: string): void {
  Promise.resolve()
    .then(() => inDir(absolutePath(batchDir(mailboxId)), async () => undefined))
    .catch(() => undefined);
}

/**
 * The mails of one batch, back to back in one new file (each referenced as file + offset + length). The file
 * is written at once; syncing it and its directory (one fsync each, instead of one per mail) runs on behind
 * `durable`, which the commit that references these mails waits for. A crash before that commit leaves an
 * orphan file that nothing references.
 */
export async function writeBatch(mailboxId: string, raws: Buffer[]): Promise<WrittenBatch> {
  const relativePath = batchFilePath(mailboxId);
  const file = absolutePath(relativePath);
  const stored: StoredRaw[] = [];
  let offset = 0;
  for (const raw of raws) {
    stored.push({
      sha256: createHash("sha256").update(raw).digest("hex"),
      relativePath: rangeReference(relativePath, offset, raw.length),
      size: raw.length,
    });
    offset += raw.length;
  }
  const handle = await inDir(path.dirname(file), () => open(file, "wx"));
  try {
    await writeAll(handle, raws);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(file, { force: true });
    throw error;
  }
  const durable = (async () => {
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(path.dirname(file));
  })();
  // Observed here too: a caller that stops before awaiting it must not leave an unhandled rejection.
  durable.catch(() => undefined);
  return { stored, durable };
}

/** Streams a (large) message to its file while hashing it, durably; the message is never held in memory whole. */
export async function streamRaw(
  mailboxId: string,
  source: Readable,
  keepHead: number,
): Promise<StoredRaw & { head: Buffer }> {
  const hash = createHash("sha256");
  let size = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (headBytes < keepHead) {
        head.push(chunk.subarray(0, keepHead - headBytes));
        headBytes += Math.min(chunk.length, keepHead - headBytes);
      }
      done(null, chunk);
    },
  });
  const tmp = tmpPath();
  await inDir(path.dirname(tmp), async () => undefined);
  try {
    await pipeline(source, tap, createWriteStream(tmp, { flush: true }));
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const sha256 = hash.digest("hex");
  const relativePath = relativePathOf(mailboxId, sha256);
  await placeFile(tmp, relativePath);
  return { sha256, relativePath, size, head: Buffer.concat(head) };
}
