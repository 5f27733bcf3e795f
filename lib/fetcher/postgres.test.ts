// The hot path on PostgreSQL (pg, multi-row inserts in one transaction per batch): requests, threading inside
// one batch, the ledger refusing a second copy, and the lease fence refusing a writer that lost the mailbox.
import { beforeAll, expect, it } from "vitest";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";

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
