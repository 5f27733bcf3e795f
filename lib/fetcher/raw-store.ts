// Raw messages as files under the data directory, named by their SHA-256: writing the same mail twice (a
// retried batch after a crash) lands on the same file, and a file without a ledger row is only an orphan.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { config } from "@/lib/config";
import { storedFilePath } from "@/lib/requests";

export type StoredRaw = { sha256: string; relativePath: string; size: number };

function relativePathOf(mailboxId: string, sha256: string): string {
  return path.join("mail", mailboxId.replace(/[^A-Za-z0-9_-]/g, "_"), sha256.slice(0, 2), `${sha256}.eml`);
}

export const absolutePath = storedFilePath;

/** Directories this process made (or is making): a mail costs a write and a rename, not two mkdir calls too. */
const madeDirs = new Map<string, Promise<unknown>>();

/** Runs `work` with `dir` in place; if someone removed it since it was made, makes it again, once. */
async function inDir<T>(dir: string, work: () => Promise<T>): Promise<T> {
  let made = madeDirs.get(dir);
  if (!made) {
    made = mkdir(dir, { recursive: true });
    madeDirs.set(dir, made);
    made.catch(() => madeDirs.delete(dir));
  }
  await made;
  try {
    return await work();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dir, { recursive: true });
    return work();
  }
}

async function placeFile(tmp: string, relativePath: string): Promise<void> {
  const target = absolutePath(relativePath);
  await inDir(path.dirname(target), () => rename(tmp, target));
}

function tmpPath(): string {
  return path.join(
    path.resolve(config().dataDir),
    "mail",
    "tmp",
    `${Date.now()}-${randomBytes(6).toString("hex")}.part`,
  );
}

export async function storeRaw(mailboxId: string, raw: Buffer): Promise<StoredRaw> {
  const sha256 = createHash("sha256").update(raw).digest("hex");
  const relativePath = relativePathOf(mailboxId, sha256);
  const tmp = tmpPath();
  await inDir(path.dirname(tmp), () => writeFile(tmp, raw));
  await placeFile(tmp, relativePath);
  return { sha256, relativePath, size: raw.length };
}

/** Streams a (large) message to its file while hashing it; the message is never held in memory whole. */
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
    await pipeline(source, tap, createWriteStream(tmp));
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const sha256 = hash.digest("hex");
  const relativePath = relativePathOf(mailboxId, sha256);
  await placeFile(tmp, relativePath);
  return { sha256, relativePath, size, head: Buffer.concat(head) };
}
