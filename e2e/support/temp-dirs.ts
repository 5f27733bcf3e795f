// The test runs' temporary folders and files (each test file's database and data folder, the bench's mail): no
// test removes its own (a failing one is worth a look), so they piled up, 2,442 folders and 65 GB here before
// this. The test command removes those older than a run can last; newer ones may belong to a run going on.
import { readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The names our tests and the bench give what they make under the system's temporary folder. */
export const TEST_TEMP_PREFIXES = ["mailbridge-", "mb-mig-", "mb-tls-", "wal-checkpointer-", "extract-pool-"];

/** Removes what our tests left under `dir` longer than `maxAgeMs` ago (by modification time); returns the names. */
export function removeStaleTempEntries(maxAgeMs: number, opts: { dir?: string; now?: number } = {}): string[] {
  const dir = opts.dir ?? os.tmpdir();
  const now = opts.now ?? Date.now();
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!TEST_TEMP_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const entry = path.join(dir, name);
    try {
      if (now - statSync(entry).mtimeMs <= maxAgeMs) continue;
      rmSync(entry, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Gone meanwhile, or not ours to remove: left as it is.
    }
  }
  return removed;
}
