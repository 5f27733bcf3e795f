// Cleaning a rig folder after a run: state goes, logs stay (they are what a failed run is debugged from).
import { readdir, rm } from "node:fs/promises";
import path from "node:path";

export async function removeAllButLogs(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries.filter((name) => name !== "logs").map((name) => rm(path.join(dir, name), { recursive: true, force: true })),
  );
}
