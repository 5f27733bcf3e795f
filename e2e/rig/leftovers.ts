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

export async function clearLeftoverRig(infoFile: string): Promise<void> {
  if (!existsSync(infoFile)) return;
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as Partial<RigInfo>;
  if (info.ownerPid && info.ownerPid !== process.pid && /node|tsx/.test(commandOf(info.ownerPid)))
    throw new Error(`the rig in ${info.dir} already runs (process ${info.ownerPid}): stop that one first`);
  // Only what is still the rig's server: a pid may have been reused by an unrelated process since.
  const servers = (info.pids ?? []).filter((pid) => /dovecot|postfix/.test(commandOf(pid)));
  for (const pid of servers) process.kill(pid, "SIGKILL");
  const deadline = Date.now() + 5000;
  while (servers.some((pid) => commandOf(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  rmSync(infoFile, { force: true });
}
