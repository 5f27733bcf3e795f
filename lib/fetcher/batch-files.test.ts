// A fetch's batches are appended to one file, each mail reading back byte for byte (whole, as a download stream,
// or by the extraction) however the writes interleave; a full file makes way for a new one; a file that could not
// be made takes no more batches; closing waits for what was begun and lets go of every file.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readlink, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

let batchFiles: typeof import("./batch-files");
let files: typeof import("@/lib/requests");
let dataDir: string;

beforeAll(async () => {
  dataDir = (await useTestDatabase()).dir;
  batchFiles = await import("./batch-files");
  files = await import("@/lib/requests");
});

const month = () => new Date().toISOString().slice(0, 7);
const batchDir = (mailboxId: string) => path.join(dataDir, "mail", mailboxId, "batches", month());
const fileOf = (reference: string) => reference.replace(/@\d+\+\d+$/, "");

async function streamed(reference: string): Promise<Buffer> {
  return Buffer.from(await new Response(files.openStoredFile(reference)).arrayBuffer());
}

/** The files this process holds open. */
async function openFiles(): Promise<string[]> {
  const fds = await readdir("/proc/self/fd");
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => "")));
  return targets.filter(Boolean);
}

it("appends a fetch's batches, written concurrently, to one file; every mail reads back exactly", async () => {
  const writer = batchFiles.batchFileWriter("box-1");
  const batches = [
    [randomBytes(10), randomBytes(70_000), Buffer.from("Subject: x\r\n\r\nbody\r\n")],
    [randomBytes(1)],
    [randomBytes(300_000), randomBytes(5)],
  ];
  // Not awaited one by one: the fetch writes a batch while the one before it is still being written.
  const written = await Promise.all(batches.map((raws) => writer.write(raws)));
  await Promise.all(written.map((w) => w.durable));
  await writer.close();
  const stored = written.flatMap((w) => w.stored);
  const raws = batches.flat();
  expect(new Set(stored.map((s) => fileOf(s.relativePath))).size).toBe(1);
  expect((await stat(path.join(dataDir, fileOf(stored[0].relativePath)))).size).toBe(
    raws.reduce((n, r) => n + r.length, 0),
  );
  for (const [i, raw] of raws.entries()) {
    expect(stored[i].size).toBe(raw.length);
    expect(stored[i].sha256).toBe(createHash("sha256").update(raw).digest("hex"));
    expect((await files.readStoredFile(stored[i].relativePath)).equals(raw)).toBe(true);
    expect((await streamed(stored[i].relativePath)).equals(raw)).toBe(true);
  }
  expect(await readdir(batchDir("box-1"))).toHaveLength(1);
});

it("starts a new file once one holds its bound, and each fetch writes files of its own", async () => {
  const writer = batchFiles.batchFileWriter("box-2", { maxFileBytes: 100 });
  const batch = (text: string) => [Buffer.from(text.repeat(60))];
  const [a, b, c] = await Promise.all(["a", "b", "c"].map((t) => writer.write(batch(t))));
  await Promise.all([a.durable, b.durable, c.durable]);
  await writer.close();
  // 60 bytes, then 120 (the bound is reached with the batch that crosses it), then a new file.
  expect(fileOf(b.stored[0].relativePath)).toBe(fileOf(a.stored[0].relativePath));
  expect(fileOf(c.stored[0].relativePath)).not.toBe(fileOf(a.stored[0].relativePath));
  expect((await files.readStoredFile(b.stored[0].relativePath)).toString()).toBe("b".repeat(60));
  expect((await files.readStoredFile(c.stored[0].relativePath)).toString()).toBe("c".repeat(60));
  const next = batchFiles.batchFileWriter("box-2");
  const d = await next.write(batch("d"));
  await d.durable;
  await next.close();
  expect(fileOf(d.stored[0].relativePath)).not.toBe(fileOf(c.stored[0].relativePath));
  expect(await readdir(batchDir("box-2"))).toHaveLength(3);
});

it("closes once every write and sync begun has settled, holds no file open, and takes no batch after", async () => {
  const writer = batchFiles.batchFileWriter("box-3", { maxFileBytes: 10 });
  const pending = [writer.write([Buffer.from("first batch")]), writer.write([Buffer.from("second batch")])];
  await writer.close();
  const written = await Promise.all(pending);
  await Promise.all(written.map((w) => w.durable));
  expect((await files.readStoredFile(written[1].stored[0].relativePath)).toString()).toBe("second batch");
  const dir = batchDir("box-3");
  expect((await openFiles()).filter((f) => f.startsWith(dir))).toEqual([]);
  await expect(writer.write([Buffer.from("late")])).rejects.toThrow(/closed/);
});

it("fails a batch whose file cannot be made, and writes the next batch into a new file", async () => {
  // A plain file where the batch directory should be: making the directory fails.
  const blocker = path.join(dataDir, "mail", "box-4", "batches");
  await mkdir(path.dirname(blocker), { recursive: true });
  await writeFile(blocker, "not a directory");
  const writer = batchFiles.batchFileWriter("box-4");
  await expect(writer.write([Buffer.from("lost")])).rejects.toThrow();
  await rm(blocker);
  const next = await writer.write([Buffer.from("kept")]);
  await next.durable;
  await writer.close();
  expect((await files.readStoredFile(next.stored[0].relativePath)).toString()).toBe("kept");
});

it("makes a mailbox's batch directory as the writer is made, ahead of its first batch, which then writes into it", async () => {
  const dir = batchDir("box-ahead");
  const writer = batchFiles.batchFileWriter("box-ahead");
  await expect.poll(async () => (await stat(dir).catch(() => null))?.isDirectory() ?? false).toBe(true);
  expect(await readdir(dir)).toEqual([]);
  const { stored, durable } = await writer.write([Buffer.from("first")]);
  await durable;
  await writer.close();
  expect(await readdir(dir)).toHaveLength(1);
  expect((await files.readStoredFile(stored[0].relativePath)).toString()).toBe("first");
});
