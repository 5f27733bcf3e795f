// A rig server run as this process's child in the foreground: its stderr kept for error messages, whether it
// still runs, and a stop that asks politely (SIGTERM) before it insists (SIGKILL after 3 s).
import type { ChildProcess } from "node:child_process";

export type ServerProcess = { stderr(): string; running(): boolean; stop(): Promise<void> };

export function superviseServer(child: ChildProcess): ServerProcess {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    stderr: () => stderr,
    running,
    async stop() {
      if (!running()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
