import { config } from "@/lib/config";
import { migrate } from "@/lib/db/migrate";

async function main() {
  const database = config().database;
  const result = await migrate(database);
  const where = database.provider === "sqlite" ? database.file : "PostgreSQL";
  console.log(
    result.applied.length
      ? `migrated ${where}: applied ${result.applied.join(", ")}`
      : `database ${where} is up to date (${result.alreadyApplied.length} migrations)`,
  );
}

main().catch((e) => {
  console.error(`migration failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
