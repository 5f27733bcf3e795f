// The hot path's transactions on both drivers: statements issued without being awaited (pipelined on
// PostgreSQL) still belong to the transaction, which commits only once every one of them succeeded.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { openIngestDb, type IngestDb } from "./ingest-db";

async function databases(): Promise<IngestDb[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mailbridge-ingest-db-"));
  return [
    openIngestDb({ provider: "sqlite", file: path.join(dir, "db.sqlite") }),
    openIngestDb({ provider: "postgresql", url: await createPostgresDatabase() }),
  ];
}

it("commits statements left un-awaited, and rolls the whole transaction back when one of them fails", async () => {
  for (const db of await databases()) {
    await db.transaction(async (sql) => {
      await sql.run(`CREATE TABLE "T" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL)`);
    });
    await db.transaction(async (sql) => {
      void sql.run(`INSERT INTO "T" ("id", "name") VALUES (?, ?)`, [1, "kept"]);
      void sql.run(`INSERT INTO "T" ("id", "name") VALUES (?, ?)`, [2, "kept"]);
    });
    await expect(
      db.transaction(async (sql) => {
        void sql.run(`INSERT INTO "T" ("id", "name") VALUES (?, ?)`, [3, "lost"]);
        void sql.run(`INSERT INTO "T" ("id", "name") VALUES (?, ?)`, [1, "duplicate"]);
        void sql.run(`INSERT INTO "T" ("id", "name") VALUES (?, ?)`, [4, "lost"]);
        return "done";
      }),
    ).rejects.toThrow(/unique|duplicate/i);
    const rows = await db.transaction(
      (sql) => sql.all<{ id: number; name: string }>(`SELECT * FROM "T" ORDER BY "id"`),
      {
        durable: false,
      },
    );
    expect([db.provider, rows.map((r) => [Number(r.id), r.name])]).toEqual([
      db.provider,
      [
        [1, "kept"],
        [2, "kept"],
      ],
    ]);
    await db.close();
  }
});

it("on PostgreSQL, prepares an INSERT once per connection and leaves other statements unnamed", async () => {
  const db = openIngestDb({ provider: "postgresql", url: await createPostgresDatabase() });
  await db.transaction(async (sql) => {
    await sql.run(`CREATE TABLE "P" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL)`);
  });
  for (const id of [1, 2, 3]) {
    await db.transaction(async (sql) => {
      await sql.run(`INSERT INTO "P" ("id", "name") VALUES (?, ?)`, [id, "row"]);
      await sql.all(`SELECT "id" FROM "P" WHERE "id" = ?`, [id]);
    });
  }
  // Transactions one after another reuse the pool's most recent connection, whose statements these are.
  const prepared = await db.transaction(
    (sql) =>
      sql.all<{ statement: string }>(`SELECT "statement" FROM pg_prepared_statements WHERE "name" LIKE 'mb\\_%'`),
    { durable: false },
  );
  expect(prepared.map((p) => p.statement)).toEqual([`INSERT INTO "P" ("id", "name") VALUES ($1, $2)`]);
  expect(
    await db.transaction((sql) => sql.all(`SELECT "id" FROM "P"`), { durable: false }).then((rows) => rows.length),
  ).toBe(3);
  await db.close();
});
