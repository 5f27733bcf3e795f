import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";

/**
 * The database holds password hashes and sealed secrets: only the owner may read it. SQLite gives its
 * -wal and -shm files the database file's mode, so a 0600 database keeps them 0600 too; files left by
 * an older version are tightened here.
 */
export function prepareSqliteFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f)) chmodSync(f, 0o600);
  }
}
