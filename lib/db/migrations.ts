import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type Migration = { name: string; sql: string; checksum: string };

export function migrationsDir(provider: "sqlite" | "postgresql"): string {
  // Works both from the source tree and from a Next build (cwd is the project root in both).
  return path.resolve(process.cwd(), "prisma", "migrations", provider);
}

/** The committed migrations in order; checksum as Prisma computes it (sha256 of migration.sql). */
export function loadMigrations(provider: "sqlite" | "postgresql", dir = migrationsDir(provider)): Migration[] {
  if (!existsSync(dir)) throw new Error(`migrations folder ${dir} is missing`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}
