// The hot path's SQLite commits run no checkpoint of their own (below a 64 MB backstop): a worker thread copies
// the write-ahead log into the database file once the log has grown, so a commit never does it on the main thread.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "libsql";
import { afterAll, expect, it, vi } from "vitest";
import { openIngestDb } from "./ingest-db";
import { WAL_BACKSTOP_PAGES } from "./wal-checkpointer";

const dir = mkdtempSync(path.join(os.tmpdir(), "wal-checkpointer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("commits without checkpointing, and the worker copies the log into the database file", async () => {
  const file = path.join(dir, "hot.db");
  const setup = new Database(file);
  setup.pragma("journal_mode = WAL");
  setup.exec(`CREATE TABLE "Body" ("id" INTEGER PRIMARY KEY, "text" TEXT)`);
  setup.close();
  const db = openIngestDb({ provider: "sqlite", file } as Parameters<typeof openIngestDb>[0]);
  try {
    const setting = await db.transaction((sql) => sql.get<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint"));
    expect(setting?.wal_autocheckpoint).toBe(WAL_BACKSTOP_PAGES);
    const before = statSync(file).size;
    const body = "x".repeat(26_000);
    // 10 MB of log, well past the 1,000 pages at which SQLite's own automatic checkpoint would run in a commit.
    for (let t = 0; t < 10; t++)
      await db.transaction(async (sql) => {
        for (let i = 0; i < 40; i++) await sql.run(`INSERT INTO "Body" ("text") VALUES (?)`, [body]);
      });
    await vi.waitFor(() => expect(statSync(file).size - before).toBeGreaterThan(4 * 1024 * 1024), {
      timeout: 20_000,
      interval: 50,
    });
    const count = await db.transaction((sql) => sql.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Body"`));
    expect(count?.n).toBe(400);
  } finally {
    await db.close();
  }
}, 60_000);
