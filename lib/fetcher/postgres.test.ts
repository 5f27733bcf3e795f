// The hot path on PostgreSQL (pg, multi-row inserts in one transaction per batch): requests, threading inside
// one batch, the ledger refusing a second copy, and the lease fence refusing a writer that lost the mailbox.
import { beforeAll, expect, it } from "vitest";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testMail, testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";
import { fetchUnicodeBodies, UNICODE_TEXT } from "@/e2e/support/unicode-bodies";

const rig = testRig();
const alice = rig.auth.users.alice.username;

let fetcher: typeof import("./index");
let database: typeof import("@/lib/db");
let batch: typeof import("./commit-batch");
let run: typeof import("./fetch-mailbox");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase({ databaseUrl: await createPostgresDatabase() });
  fetcher = await import("./index");
  database = await import("@/lib/db");
  batch = await import("./commit-batch");
  run = await import("./fetch-mailbox");
});

it("stores mail as requests and replies on PostgreSQL, and fences a writer whose lease is gone", async () => {
  const folder = uniqueName("Pg");
  await ensureFolder(rig, alice, folder);
  const box = await createTestMailbox(rig, { folder });
  await fetcher.fetchMailbox(box.id);
  const first = mail("Pg question");
  await deliver(rig, alice, first.raw, folder);
  await deliver(rig, alice, mail("Re: Pg question", { inReplyTo: first.messageId }).raw, folder);
  await deliver(rig, alice, mail("Pg other").raw, folder);
  const outcome = await fetcher.fetchMailbox(box.id);
  expect(outcome).toMatchObject({ status: "ok", totals: { stored: 3, requests: 2, replies: 1 } });
  const requests = await database.db().request.findMany({ where: { mailboxId: box.id }, orderBy: { number: "asc" } });
  expect(requests.map((r) => [r.subject, r.messageCount])).toEqual([
    ["Pg question", 2],
    ["Pg other", 1],
  ]);
  expect(requests[1].number).toBe(requests[0].number + 1);
  const extracted = await database
    .db()
    .ingestedMail.findMany({ where: { mailboxId: box.id }, orderBy: { subject: "asc" } });
  expect(extracted.map((m) => [m.subject, m.extractState, m.bodyText?.trim()])).toEqual([
    ["Pg other", "done", "Hello,\nthis is Pg other."],
    ["Pg question", "done", "Hello,\nthis is Pg question."],
    ["Re: Pg question", "done", "Hello,\nthis is Re: Pg question."],
  ]);

  const stale = { owner: "someone-else", epoch: 1 };
  await expect(
    batch.commitBatch(run.ingestDb(), {
      mailboxId: box.id,
      lease: stale,
      cursor: "null",
      afterFetchPending: false,
      disableNewRequests: false,
      mails: [],
    }),
  ).rejects.toThrow(/another process took over/);
  expect(
    JSON.parse((await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).cursor!),
  ).toMatchObject({ protocol: "imap" });
});

it("stores a group's bodies, lz4-compressed where the server has it, and its attachments on PostgreSQL", async () => {
  const folder = uniqueName("Pg-bodies");
  await ensureFolder(rig, alice, folder);
  const box = await createTestMailbox(rig, { folder });
  await fetcher.fetchMailbox(box.id);
  const long = "A line of a long mail body, long enough to be compressed.\r\n".repeat(600);
  await deliver(rig, alice, mail("Pg long", { body: long }).raw, folder);
  await deliver(rig, alice, testMail("Pg attached", { attachment: { name: "notes.txt", content: "kept" } }), folder);
  expect((await fetcher.fetchMailbox(box.id)).status).toBe("ok");
  const rows = await database.db().ingestedMail.findMany({
    where: { mailboxId: box.id },
    orderBy: { subject: "asc" },
    include: { attachments: true },
  });
  expect(rows.map((r) => [r.subject, r.extractState, (r.bodyText?.length ?? 0) > 0])).toEqual([
    ["Pg attached", "done", true],
    ["Pg long", "done", true],
  ]);
  expect(rows[1].bodyText).toContain("A line of a long mail body");
  expect(rows[0].attachments.map((a) => [a.filename, a.size])).toEqual([["notes.txt", 4]]);
  const [{ lz4 }] = await database.db().$queryRaw<
    { lz4: boolean }[]
  >`SELECT 'lz4' = ANY("enumvals") AS "lz4" FROM pg_settings WHERE "name" = 'default_toast_compression'`;
  const [{ method }] = await database.db().$queryRaw<
    { method: string | null }[]
  >`SELECT pg_column_compression("bodyText") AS "method" FROM "IngestedMail" WHERE "id" = ${rows[1].id}`;
  expect(method).toBe(lz4 ? "lz4" : "pglz");
});

it("stores text and HTML beyond ASCII character for character on PostgreSQL (bound as bytes)", async () => {
  const { mailboxId, stored, expected } = await fetchUnicodeBodies(rig, fetcher.fetchMailbox);
  expect(stored).toEqual(expected);
  const [{ n }] = await database.db().$queryRaw<
    { n: bigint }[]
  >`SELECT COUNT(*) AS n FROM "IngestedMail" WHERE "mailboxId" = ${mailboxId} AND "bodyText" LIKE ${`%${UNICODE_TEXT}%`}`;
  expect(Number(n)).toBe(2);
});

it("finds the stored mails among more source keys than one statement takes (one read transaction)", async () => {
  const folder = uniqueName("PgKeys");
  await ensureFolder(rig, alice, folder);
  const box = await createTestMailbox(rig, { folder });
  await fetcher.fetchMailbox(box.id);
  for (const subject of ["Keys one", "Keys two", "Keys three"]) await deliver(rig, alice, mail(subject).raw, folder);
  expect(await fetcher.fetchMailbox(box.id)).toMatchObject({ status: "ok", totals: { stored: 3 } });
  const stored = (await database.db().ingestedMail.findMany({ where: { mailboxId: box.id } })).map((m) => m.sourceKey);
  expect(stored).toHaveLength(3);
  const asked = Array.from({ length: 1_200 }, (_, i) => `0:${i + 1}`);
  asked.splice(10, 0, stored[0]);
  asked.splice(600, 0, stored[1]);
  asked.splice(1_150, 0, stored[2]);
  const known = await batch.knownSourceKeys(run.ingestDb(), box.id, asked);
  expect([...known].sort()).toEqual([...stored].sort());
  expect(await batch.knownSourceKeys(run.ingestDb(), box.id, [])).toEqual(new Set());
});
