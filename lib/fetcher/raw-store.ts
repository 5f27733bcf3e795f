// Raw messages as files under the data directory, on disk (fsynced, with their directory entries) before the
// commit that references them: a fetch's small mails go into its batch files (batch-files.ts), a large mail is
// streamed to a file of its own named by its SHA-256. A file that no ledger row references is only an orphan of a
// crash.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { config } from "@/lib/config";
import { mailboxFilesDir, storedFilePath } from "@/lib/requests/ingest";

export type StoredRaw = { sha256: string; relativePath: string; size: number };

function relativePathOf(mailboxId: string, sha256: string): string {
  return path.join(mailboxFilesDir(mailboxId), sha256.slice(0, 2), `${sha256}.eml`);
}

export const absolutePath = storedFilePath;

/** Directories this process made (or is making): a batch costs a write, not mkdir calls too. */
const madeDirs = new Map<string, Promise<unknown>>();

export async function syncDirectory(dir: string): Promise<void> {
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
export async function inDir<T>(dir: string, work: () => Promise<T>): Promise<T> {
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
