// The installed PostgreSQL 15 cluster, started on demand, with a throw-away database per test.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

const ROLE = "mailbridge_test";
const PASSWORD = "mailbridge_test_pw";
const PORT = Number(
  execFileSync("bash", ["-c", "pg_lsclusters -h 2>/dev/null | awk '$1==15 && $2==\"main\" {print $3}'"])
    .toString()
    .trim() || 5432,
);

function asPostgres(sql: string): void {
  execFileSync("runuser", ["-u", "postgres", "--", "psql", "-p", String(PORT), "-v", "ON_ERROR_STOP=1", "-qtAc", sql], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

let ready = false;

export function ensurePostgres(): void {
  if (ready) return;
  const status = execFileSync("bash", ["-c", "pg_lsclusters -h | awk '$1==15 && $2==\"main\" {print $4}'"])
    .toString()
    .trim();
  if (status !== "online") execFileSync("pg_ctlcluster", ["15", "main", "start"], { stdio: "inherit" });
  asPostgres(
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='${ROLE}') THEN CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'; END IF; END $$;`,
  );
  ready = true;
}

/** A new empty database owned by the test role; returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  ensurePostgres();
  const name = `mb_test_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: PORT, user: ROLE, password: PASSWORD, database: "postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return `postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${name}`;
}
