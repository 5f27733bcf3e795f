// Extraction in a fetch, on the worker threads: a mail that hangs the parser is flagged failed after the deadline
// and the mail behind it is still extracted; a group's attachment files are synced before the commit that
// references them, and every file a row references was among those synced.
import { afterAll, beforeAll, expect, it } from "vitest";
import path from "node:path";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testMail, testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";
import { fetchUnicodeBodies, UNICODE_TEXT } from "@/e2e/support/unicode-bodies";

const rig = testRig();
const alice = rig.auth.users.alice.username;

let fetcher: typeof import("./index");
let extract: typeof import("./extract");
let database: typeof import("@/lib/db");
let requests: typeof import("@/lib/requests");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  fetcher = await import("./index");
  extract = await import("./extract");
  database = await import("@/lib/db");
  requests = await import("@/lib/requests");
  await extract.replaceExtractPoolForTests({
    workerFile: path.resolve("e2e/support/hostile-extract-worker.mjs"),
    deadlineMs: 1_000,
  });
});

afterAll(async () => {
  await extract?.closeExtractPool();
});

it("flags a mail that hangs the parser, extracts the ones behind it, and syncs attachments before their commit", async () => {
  const folder = uniqueName("Extract-hang");
  await ensureFolder(rig, alice, folder);
  const box = await createTestMailbox(rig, { folder });
  expect((await fetcher.fetchMailbox(box.id)).status).toBe("ok");
  await deliver(rig, alice, mail("before the hang").raw, folder);
  await deliver(rig, alice, mail("hangs the parser", { headers: { "X-Test-Parser": "spin" } }).raw, folder);
  await deliver(
    rig,
    alice,
    testMail("after the hang", { attachment: { name: "report.txt", content: "all fine" } }),
    folder,
  );

  const pool = extract.extractPool();
  const sync = pool.sync.bind(pool);
  const synced: { files: string[]; attachmentsBefore: number }[] = [];
  pool.sync = async (files) => {
    const attachmentsBefore = await database.db().mailAttachment.count({ where: { ingest: { mailboxId: box.id } } });
    synced.push({ files, attachmentsBefore });
    return sync(files);
  };

  expect((await fetcher.fetchMailbox(box.id)).status).toBe("ok");
  const rows = await database.db().ingestedMail.findMany({
    where: { mailboxId: box.id },
    orderBy: [{ fetchedAt: "asc" }, { id: "asc" }],
    include: { attachments: true },
  });
  expect(rows.map((r) => [r.subject, r.state, r.extractState])).toEqual([
    ["before the hang", "request_created", "done"],
    ["hangs the parser", "request_created", "failed"],
    ["after the hang", "request_created", "done"],
  ]);
  expect(rows[1].reason).toMatch(/parsing took longer than 1 s/);
  expect(rows[2].bodyText).toContain("this is after the hang");

  const [file] = rows[2].attachments;
  expect(file).toMatchObject({ filename: "report.txt", contentType: "text/plain", size: 8 });
  expect(await (await requests.attachmentResponse(file.id)).text()).toBe("all fine");
  expect(synced).toHaveLength(1);
  expect(synced[0].attachmentsBefore).toBe(0);
  // Every file a row references was synced (with its directory) before the commit.
  expect(synced[0].files).toContain(requests.storedFilePath(file.storagePath.replace(/@\d+\+\d+$/, "")));
});

it("stores text and HTML beyond ASCII character for character, as text (the bodies reach SQLite as UTF-8 bytes)", async () => {
  const { mailboxId, stored, expected } = await fetchUnicodeBodies(rig, fetcher.fetchMailbox);
  expect(stored).toEqual(expected);
  // Stored as text, not as a blob: SQL compares it with a string.
  const [{ n }] = await database
    .db()
    .$queryRawUnsafe<{ n: number | bigint }[]>(
      `SELECT COUNT(*) AS n FROM "IngestedMail" WHERE "mailboxId" = ? AND typeof("bodyText") = 'text' AND "bodyText" LIKE ?`,
      mailboxId,
      `%${UNICODE_TEXT}%`,
    );
  expect(Number(n)).toBe(2);
});
