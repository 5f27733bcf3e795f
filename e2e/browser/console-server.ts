// Starts the built console as a child process for browser tests (and the demo): its own data folder, the rig's CA.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

export function consolePort(): number {
  return Number(process.env.MAILBRIDGE_E2E_PORT ?? 3210);
}

export type ConsoleServer = {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
};

export type ConsoleOptions = {
  port: number;
  dataDir: string;
  /** start from what the data folder holds (the demo) instead of an empty one */
  keepData?: boolean;
  caFile?: string;
  logFile?: string;
  /** more settings for this console (e.g. MAILBRIDGE_TRUSTED_PROXIES) */
  env?: Record<string, string>;
  /** start it the way the README says (`npm start`), so signals go through npm first */
  viaNpm?: boolean;
};

export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  if (!options.keepData) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const url = `http://127.0.0.1:${options.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(options.port),
    HOSTNAME: "127.0.0.1",
    MAILBRIDGE_PUBLIC_URL: url,
    MAILBRIDGE_DATA_DIR: options.dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
    // the rig's mail servers and authorization server are on 127.0.0.1
    MAILBRIDGE_OUTBOUND_NETWORKS: "loopback",
  };
  Object.assign(env, options.env);
  delete env.DATABASE_URL;
  delete env.MAILBRIDGE_SECRET_KEY;
  if (options.caFile) env.MAILBRIDGE_EXTRA_CA_FILE = options.caFile;
  const root = path.resolve(__dirname, "..", "..");
  const [command, args] = options.viaNpm
    ? ["npm", ["start", "--silent", "--", "--no-build"]]
    : [process.execPath, ["--import", "tsx", path.join(root, "lib/cli/start.ts"), "--no-build"]];
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  if (options.logFile) {
    const { createWriteStream } = await import("node:fs");
    // Two sources into one file: neither may end it while the other still writes; it ends with the process.
    const log = createWriteStream(options.logFile);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.once("close", () => log.end());
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`console exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (Date.now() >= deadline) throw new Error(`console did not become healthy:\n${output}`);
  return {
    url,
    dataDir: options.dataDir,
    process: child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
