// Before each ingest measurement (see ingest.ts), in a process of its own: a fresh, migrated database with the
// bench mailbox stored, as the console would have saved it (with `--warm-up`, one more per warm-up fetch, on the
// warm-up folder). Prints what the fetcher's process needs as one JSON line, so that process pays neither for the
// migration nor for the ORM.
import { readFileSync } from "node:fs";
import type { RigInfo } from "@/e2e/rig/info";
import { useTestDatabase } from "@/e2e/support/test-db";

async function main() {
  const [infoFile, folder, databaseUrl, warmFolder, warmFetches] = process.argv.slice(2);
  const rig = JSON.parse(readFileSync(infoFile, "utf8")) as RigInfo;
  await useTestDatabase({ databaseUrl: databaseUrl || undefined });
  const { createTestMailbox } = await import("@/e2e/support/fetcher-fixtures");
  const { db } = await import("@/lib/db");
  const importSince = new Date(Date.now() - 86_400_000);
  const box = await createTestMailbox(rig, { folder, importSince });
  // One mailbox per warm-up fetch, all on the warm-up folder: each fetch imports the folder anew.
  const warmMailboxIds: string[] = [];
  for (let i = 0; warmFolder && i < Number(warmFetches ?? 1); i++)
    warmMailboxIds.push((await createTestMailbox(rig, { folder: warmFolder, importSince })).id);
  await db().$disconnect();
  const env = {
    MAILBRIDGE_DATA_DIR: process.env.MAILBRIDGE_DATA_DIR!,
    MAILBRIDGE_SECRET_KEY: process.env.MAILBRIDGE_SECRET_KEY!,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  process.stdout.write(JSON.stringify({ mailboxId: box.id, warmMailboxIds, env }) + "\n");
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
