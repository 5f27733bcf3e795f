// The installed PostgreSQL 15 cluster, started on demand, with a throw-away database per test.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

const ROLE = "mailbridge_test";
const PASSWORD = "mailbridge_test_pw";
const PREFIX = "mb_test_";
const PORT = Number(
  execFileSync("bash", ["-c", "pg_lsclusters -h 2>/dev/null | awk '$1==15 && $2==\"main\" {print $3}'"])
    .toString()
    .trim() || 5432,
);

/** Runs a psql script as the postgres user, each statement on its own (so DROP DATABASE may be one); its output. */
function asPostgres(script: string): string {
  return execFileSync(
    "runuser",
    ["-u", "postgres", "--", "psql", "-p", String(PORT), "-v", "ON_ERROR_STOP=1", "-qtA"],
    {
      input: script,
      stdio: ["pipe", "pipe", "pipe"],
    },
  ).toString();
}

let ready = false;

/**
 * Starts the cluster if it is down. After an unclean stop its recovery fsyncs every file of every database
 * (some 30 s under load with a few hundred left-over test databases), so `npm test` calls this before the
 * suites, never inside a test's time limit.
 */
export function ensurePostgres(): void {
  if (ready) return;
  const status = execFileSync("bash", ["-c", "pg_lsclusters -h | awk '$1==15 && $2==\"main\" {print $4}'"])
    .toString()
    .trim();
  if (status !== "online")
    execFileSync("pg_ctlcluster", ["15", "main", "start", "--", "-t", "300"], { stdio: "inherit" });
  asPostgres(
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='${ROLE}') THEN CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'; END IF; END $$;`,
  );
  ready = true;
}

/** `mb_test_<creation time in seconds, base 36>_<random>`: the name tells how old a left-over database is. */
export function testDatabaseName(now = Date.now()): string {
  return `${PREFIX}${Math.floor(now / 1000).toString(36)}_${randomBytes(5).toString("hex")}`;
}

/** When a test database was created, from its name; null for a name without a time (made before names had one). */
export function testDatabaseCreatedAt(name: string): number | null {
  const match = new RegExp(`^${PREFIX}([0-9a-z]+)_[0-9a-f]+$`).exec(name);
  return match ? parseInt(match[1], 36) * 1000 : null;
}

/**
 * Drops the test databases older than `maxAgeMs` (and those whose name has no time). Tests do not drop their
 * own (a failing one is worth a look), so without this every run leaves its databases behind, and the cluster
 * grew to 5 GB here. A run lasts at most 90 minutes, so the age spares every database a concurrent run uses.
 */
export function dropStaleTestDatabases(maxAgeMs: number, now = Date.now()): string[] {
  ensurePostgres();
  const names = asPostgres(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX.replace(/_/g, "\\_")}%'`)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stale = names.filter((name) => {
    const created = testDatabaseCreatedAt(name);
    return created === null || now - created > maxAgeMs;
  });
  if (stale.length) asPostgres(stale.map((name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE);`).join("\n"));
  return stale;
}

/** A new empty database owned by the test role; returns its URL. `createdAt` only for the clean-up's own test. */
export async function createPostgresDatabase(opts: { createdAt?: number } = {}): Promise<string> {
  ensurePostgres();
  const name = testDatabaseName(opts.createdAt);
  const admin = new pg.Client({ host: "127.0.0.1", port: PORT, user: ROLE, password: PASSWORD, database: "postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return `postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${name}`;
}
