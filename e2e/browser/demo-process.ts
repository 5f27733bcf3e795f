// `npm run demo` as a child process of a browser test: its own data folder and port block, started until it
// printed its walk-through, stopped the way Ctrl-C stops it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RigInfo } from "../rig/info";

export type DemoProcess = {
  url: string;
  /** the walk-through it printed, line by line */
  walkThrough: string[];
  rig: RigInfo;
  /** the last lines it printed and its console logged, for a failing test's report */
  outputTail(lines: number): string;
  stop(): Promise<void>;
};

const LAST_LINE = "Every client, secret and key of the rig:";
const OUTPUT_LIMIT = 256 * 1024;

export async function startDemo(opts: { dataDir: string; port: number }): Promise<DemoProcess> {
  const root = path.resolve(__dirname, "..", "..");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(root, "e2e/demo.ts")], {
    cwd: root,
    env: { ...process.env, MAILBRIDGE_DEMO_DIR: opts.dataDir, MAILBRIDGE_DEMO_PORT: String(opts.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Bounded: the demo may run for a whole spec.
  const keep = (d: Buffer) => {
    output += d;
    if (output.length > 2 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not start within 60 s:\n${output}`)), 60_000);
      const check = () => {
        if (!output.split("\n").some((line) => line.startsWith(LAST_LINE))) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout!.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const lines = output.split("\n");
  const first = lines.findIndex((line) => line.startsWith("Mailbridge demo: "));
  const last = lines.findIndex((line) => line.startsWith(LAST_LINE));
  const rig = JSON.parse(readFileSync(path.join(opts.dataDir, "rig.json"), "utf8")) as RigInfo;
  return {
    url: `http://127.0.0.1:${opts.port}`,
    walkThrough: lines.slice(first, last + 1),
    rig,
    outputTail: (count) => {
      const tail = (text: string) => text.split("\n").slice(-count).join("\n");
      const logFile = path.join(rig.logDir, "console.log");
      const log = existsSync(logFile) ? tail(readFileSync(logFile, "utf8")) : "(no console log)";
      return `${tail(output)}\n--- ${logFile}:\n${log}`;
    },
    stop,
  };
}
