// A persistent rig's info file left behind means its owner did not stop it (killed, machine crash): its
// Dovecot and Postfix may still hold the fixed ports. They are stopped before the rig starts again; a rig
// whose owner still runs is not started twice.
import { existsSync, readFileSync, rmSync } from "node:fs";
import type { RigInfo } from "./info";

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** Kills the processes that still run `command` (a pid may have been reused by an unrelated process since). */
export async function killLeftovers(pids: number[], command: RegExp): Promise<void> {
  const running = pids.filter((pid) => command.test(commandOf(pid)));
  for (const pid of running) process.kill(pid, "SIGKILL");
  const deadline = Date.now() + 5000;
  while (running.some((pid) => commandOf(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export async function clearLeftoverRig(infoFile: string): Promise<void> {
  if (!existsSync(infoFile)) return;
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as Partial<RigInfo>;
  if (info.ownerPid && info.ownerPid !== process.pid && /node|tsx/.test(commandOf(info.ownerPid)))
    throw new Error(`the rig in ${info.dir} already runs (process ${info.ownerPid}): stop that one first`);
  await killLeftovers(info.pids ?? [], /dovecot|postfix/);
  rmSync(infoFile, { force: true });
}
