// State files of a persistent authorization server.
import { renameSync, writeFileSync } from "node:fs";

/** Written beside and renamed, so a process killed mid-write leaves the previous file. */
export function writeJsonAtomically(file: string, value: unknown): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, JSON.stringify(value), { mode: 0o600 });
  renameSync(partial, file);
}
