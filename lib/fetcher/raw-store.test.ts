// Stored mail reads back: a stored path never leaves the data directory, a range must lie in its file, a large
// mail streamed alone reads back byte for byte, and many references are read at once. (Batch files: batch-files.test.ts.)
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

let store: typeof import("./raw-store");
let batchFiles: typeof import("./batch-files");
let files: typeof import("@/lib/requests");

beforeAll(async () => {
  await useTestDatabase();
  store = await import("./raw-store");
  batchFiles = await import("./batch-files");
  files = await import("@/lib/requests");
});

/** A batch written into a file of its own, as by a fetch of one batch. */
async function writeBatch(mailboxId: string, raws: Buffer[]) {
  const writer = batchFiles.batchFileWriter(mailboxId);
  const written = await writer.write(raws);
  await written.durable;
  await writer.close();
  return written;
}

async function streamed(reference: string): Promise<Buffer> {
  return Buffer.from(await new Response(files.openStoredFile(reference)).arrayBuffer());
}

it("refuses a range the file does not hold, and references outside the data directory", async () => {
  const { stored } = await writeBatch("box-3", [Buffer.from("short")]);
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
  const a = await writeBatch("box-5", [Buffer.from("a1"), Buffer.from("a2")]);
  const b = await writeBatch("box-5", [Buffer.from("b1")]);
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
