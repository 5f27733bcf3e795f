// `npm run demo` as a child process of a browser test: its own data folder and port block, started until it
// printed its walk-through, stopped the way Ctrl-C stops it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { RigInfo } from "../rig/info";

export type DemoProcess = {
  url: string;
  /** the walk-through it printed, line by line */
  walkThrough: string[];
  rig: RigInfo;
  stop(): Promise<void>;
};

const LAST_LINE = "Every client, secret and key of the rig:";

export async function startDemo(opts: { dataDir: string; port: number }): Promise<DemoProcess> {
  const root = path.resolve(__dirname, "..", "..");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(root, "e2e/demo.ts")], {
    cwd: root,
    env: { ...process.env, MAILBRIDGE_DEMO_DIR: opts.dataDir, MAILBRIDGE_DEMO_PORT: String(opts.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
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
  return {
    url: `http://127.0.0.1:${opts.port}`,
    walkThrough: lines.slice(first, last + 1),
    rig: JSON.parse(readFileSync(path.join(opts.dataDir, "rig.json"), "utf8")) as RigInfo,
    stop,
  };
}
