// The extraction's read after every fetch must not grow with the mailbox's history: SQLite answers it from the
// (extractState, mailboxId, fetchedAt) index, both for one mailbox and for all.
import Database from "libsql";
import { expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

it("the pending mail of a mailbox is read from the extraction index, not by walking the mailbox", async () => {
  await useTestDatabase();
  const { config } = await import("@/lib/config");
  const { pendingMailSql } = await import("./extract");
  const database = config().database;
  if (database.provider !== "sqlite") throw new Error("expected the SQLite default");
  const conn = new Database(database.file, { readonly: true });
  const plan = (sql: string, params: unknown[]) =>
    (conn.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
  const oneMailbox = plan(pendingMailSql(true), ["mailbox-id", 100]);
  expect(oneMailbox).toContain(
    "USING INDEX IngestedMail_extractState_mailboxId_fetchedAt_idx (extractState=? AND mailboxId=?)",
  );
  expect(oneMailbox).not.toMatch(/TEMP B-TREE/);
  expect(plan(pendingMailSql(false), [100])).toContain(
    "IngestedMail_extractState_mailboxId_fetchedAt_idx (extractState=?)",
  );
  conn.close();
});
