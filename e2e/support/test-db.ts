// Gives a test file its own database and secret key, migrated, before any lib module reads the config.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { config, resetConfigForTests } from "@/lib/config";
import { resetKeyringForTests } from "@/lib/crypto";
import { migrate } from "@/lib/db/migrate";

export type TestDatabase = { dir: string; secretKey: string };

export async function useTestDatabase(options: { databaseUrl?: string } = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mailbridge-test-"));
  const secretKey = randomBytes(32).toString("base64");
  process.env.MAILBRIDGE_DATA_DIR = dir;
  process.env.MAILBRIDGE_SECRET_KEY = secretKey;
  if (options.databaseUrl) process.env.DATABASE_URL = options.databaseUrl;
  else delete process.env.DATABASE_URL;
  resetConfigForTests();
  resetKeyringForTests();
  (globalThis as { mailbridgeDb?: unknown }).mailbridgeDb = undefined;
  await migrate(config().database);
  return { dir, secretKey };
}
