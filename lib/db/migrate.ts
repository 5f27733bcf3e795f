import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "libsql";
import pg from "pg";
import type { DatabaseConfig } from "@/lib/config";
import { loadMigrations, type Migration } from "./migrations";

export type MigrateResult = { applied: string[]; alreadyApplied: string[] };

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

// Same table layout as Prisma's, so `prisma migrate deploy` keeps working against a database we migrated.
const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL,
  "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;
const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;
// Prisma's own advisory lock id, so our runner and `prisma migrate deploy` exclude each other too.
const PG_LOCK_ID = 72707369;

type Applied = { migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown };

function plan(migrations: Migration[], applied: Applied[]): { todo: Migration[]; done: string[] } {
  const byName = new Map(applied.filter((a) => !a.rolled_back_at).map((a) => [a.migration_name, a]));
  const todo: Migration[] = [];
  const done: string[] = [];
  for (const m of migrations) {
    const row = byName.get(m.name);
    if (!row) {
      todo.push(m);
      continue;
    }
    if (!row.finished_at) {
      throw new MigrationError(
        `migration ${m.name} started earlier but did not finish: inspect the database, then mark it rolled back`,
      );
    }
    if (row.checksum !== m.checksum) {
      throw new MigrationError(
        `migration ${m.name} was changed after it was applied (checksum differs): add a new migration instead`,
      );
    }
    done.push(m.name);
  }
  return { todo, done };
}

type Violation = { table: string; rowid: number | null; parent: string; fkid: number };

/** Rows whose foreign key points nowhere, as `PRAGMA foreign_key_check` reports them. */
function foreignKeyViolations(conn: Database.Database): Violation[] {
  return conn.prepare("PRAGMA foreign_key_check").all() as Violation[];
}

function describeViolations(violations: Violation[]): string {
  const shown = violations.slice(0, 10).map((v) => `${v.table} row ${v.rowid ?? "?"} → ${v.parent}`);
  return `${violations.length} row(s) would point at missing rows: ${shown.join(", ")}${violations.length > 10 ? ", …" : ""}`;
}

/**
 * SQLite's table-rebuild procedure (https://www.sqlite.org/lang_altertable.html#otheralter): Prisma rebuilds
 * a table for most column changes (create new, copy, DROP old, rename). With foreign keys enforced that DROP
 * deletes the old rows first and fires ON DELETE CASCADE / SET NULL in the tables pointing at it, and
 * `PRAGMA foreign_keys` cannot be changed inside a transaction. So: off on the connection before BEGIN, check
 * every reference before COMMIT, on again after.
 */
function migrateSqlite(file: string, migrations: Migration[]): MigrateResult {
  mkdirSync(path.dirname(file), { recursive: true });
  const conn = new Database(file, { timeout: 30_000 });
  try {
    conn.pragma("journal_mode = WAL");
    conn.pragma("busy_timeout = 30000");
    conn.pragma("foreign_keys = OFF");
    // BEGIN IMMEDIATE takes the write lock first: a second process waits here, then finds nothing to do.
    conn.exec("BEGIN IMMEDIATE");
    try {
      conn.exec(SQLITE_TABLE);
      const applied = conn
        .prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`)
        .all() as Applied[];
      const { todo, done } = plan(migrations, applied);
      const record = conn.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
      );
      for (const m of todo) {
        const started = new Date().toISOString();
        try {
          conn.exec(m.sql);
        } catch (e) {
          throw new MigrationError(`migration ${m.name} failed: ${(e as Error).message}`);
        }
        const violations = foreignKeyViolations(conn);
        if (violations.length)
          throw new MigrationError(
            `migration ${m.name} breaks references, nothing was applied: ${describeViolations(violations)}`,
          );
        record.run([randomUUID(), m.checksum, new Date().toISOString(), m.name, started]);
      }
      conn.exec("COMMIT");
      return { applied: todo.map((m) => m.name), alreadyApplied: done };
    } catch (e) {
      if (conn.inTransaction) conn.exec("ROLLBACK");
      throw e;
    }
  } finally {
    conn.pragma("foreign_keys = ON");
    conn.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_LOCK_ID]);
    try {
      await client.query(PG_TABLE);
      const { rows } = await client.query<Applied>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
      );
      const { todo, done } = plan(migrations, rows);
      for (const m of todo) {
        const started = new Date();
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
            [randomUUID(), m.checksum, m.name, started],
          );
          await client.query("COMMIT");
        } catch (e) {
          await client.query("ROLLBACK");
          throw new MigrationError(`migration ${m.name} failed: ${(e as Error).message}`);
        }
      }
      return { applied: todo.map((m) => m.name), alreadyApplied: done };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PG_LOCK_ID]);
    }
  } finally {
    await client.end();
  }
}

/** Applies the committed migrations that are not yet recorded. Idempotent and safe to run concurrently. */
export async function migrate(database: DatabaseConfig, opts: { migrationsDir?: string } = {}): Promise<MigrateResult> {
  const migrations = loadMigrations(database.provider, opts.migrationsDir);
  return database.provider === "sqlite"
    ? migrateSqlite(database.file, migrations)
    : migratePostgres(database.url, migrations);
}
