// The fetcher's reads after and during every fetch must not grow with the mailbox's history: SQLite answers each
// from an index. The extraction reads pending mail from (extractState, mailboxId, fetchedAt), for one mailbox and
// for all; a request's messages are its ledger rows, read by Message-ID when a batch is threaded and by request
// when its page shows the thread.
import Database from "libsql";
import { beforeAll, afterAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

let conn: Database.Database;
const plan = (sql: string, params: unknown[]) =>
  (conn.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");

beforeAll(async () => {
  await useTestDatabase();
  const { config } = await import("@/lib/config");
  const database = config().database;
  if (database.provider !== "sqlite") throw new Error("expected the SQLite default");
  conn = new Database(database.file, { readonly: true });
});

afterAll(() => conn.close());

it("the pending mail of a mailbox is read from the extraction index, not by walking the mailbox", async () => {
  const { pendingMailSql } = await import("./extract");
  const oneMailbox = plan(pendingMailSql(true), ["mailbox-id", 100]);
  expect(oneMailbox).toContain(
    "USING INDEX IngestedMail_extractState_mailboxId_fetchedAt_idx (extractState=? AND mailboxId=?)",
  );
  expect(oneMailbox).not.toMatch(/TEMP B-TREE/);
  expect(plan(pendingMailSql(false), [100])).toContain(
    "IngestedMail_extractState_mailboxId_fetchedAt_idx (extractState=?)",
  );
});

it("threading and a request's thread are read from IngestedMail's indexes", async () => {
  const { STORED_THREADS_SQL } = await import("./commit-batch");
  const { THREAD_SQL } = await import("@/lib/requests/request-queries");
  expect(plan(`${STORED_THREADS_SQL} AND "messageId" IN (?, ?)`, ["<a@x>", "<b@x>"])).toContain(
    "USING INDEX IngestedMail_messageId_idx (messageId=?)",
  );
  const thread = plan(THREAD_SQL, ["request-id"]);
  expect(thread).toContain("USING INDEX IngestedMail_requestId_fetchedAt_idx (requestId=?)");
  expect(thread).not.toMatch(/SCAN i\b/);
});
