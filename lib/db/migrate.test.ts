import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "libsql";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { loadMigrations, migrationsDir } from "./migrations";
import { migrate, MigrationError } from "./migrate";

const all = (p: "sqlite" | "postgresql") => loadMigrations(p).map((m) => m.name);

describe("migrations on SQLite", () => {
  const fresh = () => ({
    provider: "sqlite" as const,
    file: path.join(mkdtempSync(path.join(os.tmpdir(), "mb-mig-")), "db.sqlite"),
  });

  it("creates every table on a fresh database and records each migration like Prisma", async () => {
    const database = fresh();
    expect(await migrate(database)).toEqual({ applied: all("sqlite"), alreadyApplied: [] });
    const conn = new Database(database.file);
    const tables = conn
      .prepare("SELECT name FROM sqlite_master WHERE type='table'")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "User",
        "OAuthApplication",
        "OAuthConnection",
        "IncomingMailbox",
        "FetchRun",
        "_prisma_migrations",
      ]),
    );
    const rows = conn.prepare(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`).all() as {
      checksum: string;
      finished_at: string;
    }[];
    expect(rows).toHaveLength(all("sqlite").length);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].finished_at).toBeTruthy();
    conn.close();
  });

  it("is a no-op when run again", async () => {
    const database = fresh();
    await migrate(database);
    expect(await migrate(database)).toEqual({ applied: [], alreadyApplied: all("sqlite") });
  });

  it("applies each migration exactly once when several processes start at once", async () => {
    const database = fresh();
    const { fork } = await import("node:child_process");
    const script = path.resolve("e2e/support/migrate-child.ts");
    const results = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<string>((resolve, reject) => {
            const child = fork(script, [JSON.stringify(database)], {
              execArgv: ["--import", "tsx"],
              stdio: ["ignore", "pipe", "inherit", "ipc"],
            });
            let out = "";
            child.stdout!.on("data", (d) => (out += d));
            child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
          }),
      ),
    );
    const applied = results.map((r) => JSON.parse(r).applied as string[]);
    expect(applied.flat().sort()).toEqual(all("sqlite"));
    const conn = new Database(database.file);
    expect((conn.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).get() as { n: number }).n).toBe(
      all("sqlite").length,
    );
    conn.close();
  });

  describe("a migration that rebuilds tables (Prisma's create-copy-drop-rename)", () => {
    // The initial schema plus a generated migration that rebuilds OAuthConnection and IncomingMailbox.
    function rebuildMigrations(): string {
      const dir = mkdtempSync(path.join(os.tmpdir(), "mb-mig-dir-"));
      const init = all("sqlite")[0];
      cpSync(path.join(migrationsDir("sqlite"), init), path.join(dir, init), { recursive: true });
      cpSync(path.resolve("e2e/support/rebuild-migration"), dir, { recursive: true });
      return dir;
    }

    async function populated() {
      const database = fresh();
      const dir = rebuildMigrations();
      const init = all("sqlite")[0];
      // only the initial migration first: a throw-away folder holding just that one
      const initOnly = mkdtempSync(path.join(os.tmpdir(), "mb-mig-init-"));
      cpSync(path.join(dir, init), path.join(initOnly, init), { recursive: true });
      await migrate(database, { migrationsDir: initOnly });
      const conn = new Database(database.file);
      const now = new Date().toISOString();
      conn
        .prepare(`INSERT INTO "User" (id, email, passwordHash, updatedAt) VALUES ('u1', 'admin@example.org', 'x', ?)`)
        .run(now);
      conn
        .prepare(
          `INSERT INTO "OAuthApplication" (id, name, preset, clientId, updatedAt) VALUES ('a1', 'app', 'generic', 'client', ?)`,
        )
        .run(now);
      for (const c of ["c1", "c2"]) {
        conn
          .prepare(
            `INSERT INTO "OAuthConnection" (id, applicationId, grantType, refreshToken, updatedAt) VALUES (?, 'a1', 'refresh_token', 'mb1:sealed', ?)`,
          )
          .run(c, now);
        conn
          .prepare(
            `INSERT INTO "OAuthState" (id, stateHash, userId, connectionId, codeVerifier, expiresAt) VALUES (?, ?, 'u1', ?, 'v', ?)`,
          )
          .run(`s-${c}`, `h-${c}`, c, now);
      }
      for (const [m, c] of [
        ["m1", "c1"],
        ["m2", "c1"],
        ["m3", "c2"],
        ["m4", null],
      ]) {
        conn
          .prepare(
            `INSERT INTO "IncomingMailbox" (id, name, protocol, connectionId, updatedAt) VALUES (?, ?, 'imaps', ?, ?)`,
          )
          .run(m, m, c, now);
        for (const n of [1, 2, 3])
          conn.prepare(`INSERT INTO "FetchRun" (id, mailboxId, kind) VALUES (?, ?, 'fetch')`).run(`${m}-run${n}`, m);
      }
      conn.close();
      return { database, dir };
    }

    const snapshot = (file: string) => {
      const conn = new Database(file);
      const rows = {
        connections: conn.prepare(`SELECT id, applicationId, refreshToken FROM "OAuthConnection" ORDER BY id`).all(),
        states: conn.prepare(`SELECT id, connectionId, userId FROM "OAuthState" ORDER BY id`).all(),
        mailboxes: conn.prepare(`SELECT id, connectionId FROM "IncomingMailbox" ORDER BY id`).all(),
        runs: conn.prepare(`SELECT id, mailboxId FROM "FetchRun" ORDER BY id`).all(),
      };
      conn.close();
      return rows;
    };

    it("keeps every row and every reference", async () => {
      const { database, dir } = await populated();
      const before = snapshot(database.file);
      expect(before.runs).toHaveLength(12);
      const result = await migrate(database, { migrationsDir: dir });
      expect(result.applied).toEqual(["20261201201932_rebuild_for_test"]);
      expect(snapshot(database.file)).toEqual(before);
      const conn = new Database(database.file);
      // the rebuild really happened: the new default is in the table's definition
      const table = conn.prepare(`SELECT sql FROM sqlite_master WHERE name = 'IncomingMailbox'`).get() as {
        sql: string;
      };
      expect(table.sql).toMatch(/DEFAULT 'Inbox'/);
      expect(conn.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
      conn.close();
      // references are enforced again on later connections
      const later = new Database(database.file);
      expect(() =>
        later
          .prepare(`INSERT INTO "FetchRun" (id, mailboxId, kind) VALUES ('orphan', 'no-such-mailbox', 'fetch')`)
          .run(),
      ).toThrow(/FOREIGN KEY/);
      later.close();
    });

    it("a migration that leaves broken references is rolled back and names them", async () => {
      const { database, dir } = await populated();
      const before = snapshot(database.file);
      mkdirSync(path.join(dir, "20261201300000_orphans"));
      writeFileSync(
        path.join(dir, "20261201300000_orphans", "migration.sql"),
        `DELETE FROM "IncomingMailbox" WHERE id = 'm3';`,
      );
      const error = await migrate(database, { migrationsDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(
        /20261201300000_orphans breaks references.*3 row\(s\).*FetchRun row \d+ → IncomingMailbox/,
      );
      // nothing of the run was applied, not even the rebuild before it
      expect(snapshot(database.file)).toEqual(before);
      const conn = new Database(database.file);
      expect((conn.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).get() as { n: number }).n).toBe(1);
      conn.close();
    });
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const database = fresh();
    await migrate(database);
    const conn = new Database(database.file);
    conn.prepare(`UPDATE "_prisma_migrations" SET checksum = 'x'`).run();
    conn.close();
    await expect(migrate(database)).rejects.toThrow(/was changed after it was applied/);
  });
});

describe("migrations on PostgreSQL", () => {
  it("migrates a fresh database, re-runs as a no-op, and concurrent runs apply once", async () => {
    const url = await createPostgresDatabase();
    const database = { provider: "postgresql" as const, url };
    const results = await Promise.all([migrate(database), migrate(database), migrate(database)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(all("postgresql"));
    expect(await migrate(database)).toEqual({ applied: [], alreadyApplied: all("postgresql") });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema='public'`);
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["User", "OAuthConnection", "IncomingMailbox", "_prisma_migrations"]),
    );
    const count = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(count.rows[0].n).toBe(all("postgresql").length);
    await client.end();
  });
});
