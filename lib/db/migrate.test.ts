import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { loadMigrations } from "./migrations";
import { migrate } from "./migrate";

const all = (p: "sqlite" | "postgresql") => loadMigrations(p).map((m) => m.name);

describe("migrations on SQLite", () => {
  const fresh = () => ({ provider: "sqlite" as const, file: path.join(mkdtempSync(path.join(os.tmpdir(), "mb-mig-")), "db.sqlite") });

  it("creates every table on a fresh database and records each migration like Prisma", async () => {
    const database = fresh();
    expect(await migrate(database)).toEqual({ applied: all("sqlite"), alreadyApplied: [] });
    const conn = new Database(database.file, { readonly: true });
    const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type='table'").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(["User", "OAuthApplication", "OAuthConnection", "IncomingMailbox", "FetchRun", "_prisma_migrations"]));
    const rows = conn.prepare(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`).all() as { checksum: string; finished_at: string }[];
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
            const child = fork(script, [JSON.stringify(database)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
            let out = "";
            child.stdout!.on("data", (d) => (out += d));
            child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
          }),
      ),
    );
    const applied = results.map((r) => JSON.parse(r).applied as string[]);
    expect(applied.flat().sort()).toEqual(all("sqlite"));
    const conn = new Database(database.file, { readonly: true });
    expect((conn.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).get() as { n: number }).n).toBe(all("sqlite").length);
    conn.close();
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
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(["User", "OAuthConnection", "IncomingMailbox", "_prisma_migrations"]));
    const count = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(count.rows[0].n).toBe(all("postgresql").length);
    await client.end();
  });
});
