// A batch's mails share one file: each reads back byte for byte (whole, as a download stream, or by the
// extraction), a stored path never leaves the data directory, and a large mail streamed alone reads back too.
import { createHash, randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

let store: typeof import("./raw-store");
let files: typeof import("@/lib/requests");
let dataDir: string;

beforeAll(async () => {
  dataDir = (await useTestDatabase()).dir;
  store = await import("./raw-store");
  files = await import("@/lib/requests");
});

async function streamed(reference: string): Promise<Buffer> {
  return Buffer.from(await new Response(files.openStoredFile(reference)).arrayBuffer());
}

it("writes a batch into one file and reads every mail of it back exactly", async () => {
  const raws = [randomBytes(10), randomBytes(70_000), Buffer.from("Subject: x\r\n\r\nbody\r\n"), randomBytes(1)];
  const { stored, durable } = await store.writeBatch("box-1", raws);
  await durable;
  const paths = new Set(stored.map((s) => s.relativePath.replace(/@\d+\+\d+$/, "")));
  expect(paths.size).toBe(1);
  const [file] = paths;
  expect((await stat(path.join(dataDir, file))).size).toBe(raws.reduce((n, r) => n + r.length, 0));
  for (const [i, raw] of raws.entries()) {
    expect(stored[i].size).toBe(raw.length);
    expect(stored[i].sha256).toBe(createHash("sha256").update(raw).digest("hex"));
    expect((await files.readStoredFile(stored[i].relativePath)).equals(raw)).toBe(true);
    expect((await streamed(stored[i].relativePath)).equals(raw)).toBe(true);
  }
});

it("gives each batch a file of its own", async () => {
  const first = await store.writeBatch("box-2", [Buffer.from("one")]);
  const second = await store.writeBatch("box-2", [Buffer.from("two")]);
  await Promise.all([first.durable, second.durable]);
  expect(first.stored[0].relativePath).not.toBe(second.stored[0].relativePath);
  expect((await files.readStoredFile(second.stored[0].relativePath)).toString()).toBe("two");
  const month = new Date().toISOString().slice(0, 7);
  expect(await readdir(path.join(dataDir, "mail", "box-2", "batches", month))).toHaveLength(2);
});

it("refuses a range the file does not hold, and references outside the data directory", async () => {
  const { stored, durable } = await store.writeBatch("box-3", [Buffer.from("short")]);
  await durable;
  const beyond = stored[0].relativePath.replace(/@\d+\+\d+$/, "@2+10");
  await expect(files.readStoredFile(beyond)).rejects.toThrow(/ends before/);
  expect(() => files.openStoredFile("../outside@0+5")).toThrow(/left the data directory/);
  await expect(files.readStoredFile("../../etc/passwd")).rejects.toThrow(/left the data directory/);
});

it("streams a large mail to a file of its own and keeps only its head in memory", async () => {
  const raw = Buffer.concat([Buffer.from("Subject: big\r\n\r\n"), randomBytes(3 * 1024 * 1024)]);
  const chunks = Array.from({ length: Math.ceil(raw.length / 65_536) }, (_, i) =>
    raw.subarray(i * 65_536, (i + 1) * 65_536),
  );
  const stored = await store.streamRaw("box-4", Readable.from(chunks), 1024);
  expect(stored.head.equals(raw.subarray(0, 1024))).toBe(true);
  expect(stored.relativePath).toMatch(/\.eml$/);
  expect((await files.readStoredFile(stored.relativePath)).equals(raw)).toBe(true);
  expect((await streamed(stored.relativePath)).equals(raw)).toBe(true);
});

it("reads many references at once, each batch file opened once, a missing one giving its error in its place", async () => {
  const a = await store.writeBatch("box-5", [Buffer.from("a1"), Buffer.from("a2")]);
  const b = await store.writeBatch("box-5", [Buffer.from("b1")]);
  await Promise.all([a.durable, b.durable]);
  const missing = a.stored[0].relativePath.replace(/\d+-[0-9a-f]+\.mails/, "0-gone.mails");
  const read = await files.readStoredFiles([
    b.stored[0].relativePath,
    a.stored[1].relativePath,
    missing,
    a.stored[0].relativePath,
  ]);
  expect(read.slice(0, 2).map(String)).toEqual(["b1", "a2"]);
  expect(read[2]).toBeInstanceOf(Error);
  expect(String(read[3])).toBe("a1");
});

it("makes a mailbox's batch directory ahead of its first batch, which then writes into it", async () => {
  const month = new Date().toISOString().slice(0, 7);
  const dir = path.join(dataDir, "mail", "box-ahead", "batches", month);
  store.prepareBatchDir("box-ahead");
  await expect.poll(async () => (await stat(dir).catch(() => null))?.isDirectory() ?? false).toBe(true);
  expect(await readdir(dir)).toEqual([]);
  const { stored, durable } = await store.writeBatch("box-ahead", [Buffer.from("first")]);
  await durable;
  expect(await readdir(dir)).toHaveLength(1);
  expect((await files.readStoredFile(stored[0].relativePath)).toString()).toBe("first");
});
