// `--jit-log`: how much optimizing the measured fetch still does. The fetcher's process runs with V8's code log
// (`--log-code`), and the optimized code it made between the measured fetch's first step and its last commit is
// counted (code-creation events of JavaScript functions marked "*", optimized, in every isolate of the process).
// A process that has fetched long enough has optimized its per-mail code before: what is left is made again per
// fetch (after the deoptimizations a new connection's objects cause).
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

export function jitLogFile(): { file: string; execArgv: string[] } {
  const dir = path.resolve("bench/results/profiles");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `v8-${Date.now()}-${process.pid}.log`);
  return { file, execArgv: ["--log-code", `--logfile=${file}`, "--no-logfile-per-isolate"] };
}

/** Optimized functions made in [fromMs, toMs] of the process's time, read from its code log; the log is removed. */
export function optimizedInWindow(file: string, fromMs: number, toMs: number): number {
  let count = 0;
  try {
    for (const line of readFileSync(file, "latin1").split("\n")) {
      if (!line.startsWith("code-creation,JS,") || !line.endsWith(",*")) continue;
      const atMs = Number(line.split(",")[3]) / 1000;
      if (atMs >= fromMs && atMs <= toMs) count++;
    }
  } finally {
    rmSync(file, { force: true });
  }
  return count;
}
