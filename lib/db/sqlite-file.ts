import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";

/**
 * The database holds password hashes and sealed secrets: only the owner may read it. SQLite gives its
 * -wal and -shm files the database file's mode, so a 0600 database keeps them 0600 too; files left by
 * an older version are tightened here. The path is configuration, so the build's file tracing is told to
 * skip these calls (it would otherwise trace the whole project).
 */
export function prepareSqliteFile(file: string): void {
  mkdirSync(/*turbopackIgnore: true*/ path.dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(/*turbopackIgnore: true*/ file)) closeSync(openSync(/*turbopackIgnore: true*/ file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(/*turbopackIgnore: true*/ f)) chmodSync(/*turbopackIgnore: true*/ f, 0o600);
  }
}
