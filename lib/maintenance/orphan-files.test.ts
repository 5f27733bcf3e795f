// The sweep of stored mail files nothing references: old orphans of a crash go (batch files, streamed mails,
// half-written streams), referenced and recent files stay, a leased mailbox is left alone, and the files of a
// deleted mailbox go with it. On SQLite and PostgreSQL (the prefix lookup is bytewise on both).
import { existsSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

const HOUR = 60 * 60 * 1000;

describe.each(["sqlite", "postgresql"] as const)("%s", (provider) => {
  let dataDir = "";
  let store: typeof import("@/lib/fetcher/raw-store");
  let batchFiles: typeof import("@/lib/fetcher/batch-files");
  let database: typeof import("@/lib/db");
  let sweep: typeof import("./orphan-files");
  let records: typeof import("@/lib/mail/incoming/mailbox-records");

  beforeAll(async () => {
    dataDir = (await useTestDatabase(provider === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {}))
      .dir;
    store = await import("@/lib/fetcher/raw-store");
    batchFiles = await import("@/lib/fetcher/batch-files");
    database = await import("@/lib/db");
    sweep = await import("./orphan-files");
    records = await import("@/lib/mail/incoming/mailbox-records");
  });
  afterAll(() => database.db().$disconnect());

  const file = (reference: string) => path.join(dataDir, reference.replace(/@\d+\+\d+$/, ""));
  const age = async (reference: string, hours: number) => {
    const at = new Date(Date.now() - hours * HOUR);
    await utimes(file(reference), at, at);
  };
  const mailbox = (name: string) => database.db().incomingMailbox.create({ data: { name, protocol: "imap" } });
  const row = (mailboxId: string, sourceKey: string, rawPath: string) =>
    database.db().ingestedMail.create({
      data: { mailboxId, sourceKey, rawSha256: "0".repeat(64), rawPath, rawSize: 1, state: "request_created" },
    });
  /** A file of its own, as one fetch writes it. */
  const batch = async (mailboxId: string) => {
    const writer = batchFiles.batchFileWriter(mailboxId);
    const { stored, durable } = await writer.write([Buffer.from("one\r\n"), Buffer.from("two\r\n")]);
    await durable;
    await writer.close();
    return stored;
  };

  it("deletes old files no row references, keeps referenced, recent and leased ones", async () => {
    const box = await mailbox("sweep");
    // Referenced through its second mail only: any range of the file keeps it.
    const kept = await batch(box.id);
    await row(box.id, "1", kept[1].relativePath);
    const orphan = await batch(box.id);
    const recent = await batch(box.id);
    const stream = async (text: string) => store.streamRaw(box.id, Readable.from([Buffer.from(text)]), 100);
    const keptLarge = await stream("large, referenced");
    await row(box.id, "2", keptLarge.relativePath);
    const orphanLarge = await stream("large, orphan");
    const part = path.join(dataDir, "mail", "tmp", "1-crashed.part");
    await writeFile(part, "half a mail");
    for (const reference of [kept[0].relativePath, orphan[0].relativePath, keptLarge.relativePath])
      await age(reference, 25);
    await age(orphanLarge.relativePath, 25);
    await utimes(part, new Date(Date.now() - 25 * HOUR), new Date(Date.now() - 25 * HOUR));
    await age(recent[0].relativePath, 23);

    // A fetch holding the lease may still commit its files: nothing of that mailbox goes.
    await database.db().incomingMailbox.update({
      where: { id: box.id },
      data: { leaseOwner: "other", leaseUntil: new Date(Date.now() + 60_000) },
    });
    expect(await sweep.sweepOrphanFiles()).toEqual({ orphanFiles: 1, mailboxDirs: 0 });
    expect(existsSync(part)).toBe(false);
    expect(existsSync(file(orphan[0].relativePath))).toBe(true);

    await database.db().incomingMailbox.update({ where: { id: box.id }, data: { leaseUntil: new Date(0) } });
    expect(await sweep.sweepOrphanFiles()).toEqual({ orphanFiles: 2, mailboxDirs: 0 });
    expect(existsSync(file(orphan[0].relativePath))).toBe(false);
    expect(existsSync(file(orphanLarge.relativePath))).toBe(false);
    for (const reference of [kept[0].relativePath, recent[0].relativePath, keptLarge.relativePath])
      expect(existsSync(file(reference))).toBe(true);
    expect(await sweep.sweepOrphanFiles()).toEqual({ orphanFiles: 0, mailboxDirs: 0 });
  });

  it("a deleted mailbox's files go with it, and a folder left behind by a late write goes at the next sweep", async () => {
    const box = await mailbox("deleted");
    const stored = await batch(box.id);
    await row(box.id, "1", stored[0].relativePath);
    await mkdir(path.join(dataDir, "mail", box.id, "attachments", "x"), { recursive: true });
    await records.deleteMailbox(box.id);
    expect(existsSync(path.join(dataDir, "mail", box.id))).toBe(false);

    // A fetch that was still running writes its batch after the delete (its commit is refused).
    const late = await batch(box.id);
    expect(existsSync(file(late[0].relativePath))).toBe(true);
    expect(await sweep.sweepOrphanFiles()).toMatchObject({ mailboxDirs: 1 });
    expect(existsSync(path.join(dataDir, "mail", box.id))).toBe(false);
  });
});
