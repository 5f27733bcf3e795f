// `npm run bench -- console [--rows N] [--requests N] [--seconds S] [--connections C] [--port P] [--seed-hook file.ts] [--only /,/users] [--web-processes N] [--node-flags F]`:
// starts the built console on loopback the way `npm start` does (all its web processes) with a database of its
// own, signs in, and loads every console page in turn; prints requests per second, p50/p99 latency, CPU per
// request and the memory of all the console's processes afterwards.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { descendantsOf } from "../e2e/browser/process-tree";
import { buildIfNeeded } from "../lib/cli/build-if-needed";
import { load, type LoadResult } from "./load";
import type { SeededRequests } from "./seed-requests";
import { signInCookie } from "./sign-in";

const root = path.resolve(__dirname, "..");
const TARGETS: { path: string; signedIn: boolean; status: number }[] = [
  { path: "/", signedIn: true, status: 200 },
  { path: "/incoming", signedIn: true, status: 200 },
  { path: "/oauth", signedIn: true, status: 200 },
  { path: "/outgoing", signedIn: true, status: 200 },
  { path: "/requests", signedIn: true, status: 200 },
  { path: "/activity", signedIn: true, status: 200 },
  { path: "/users", signedIn: true, status: 200 },
  { path: "/signin", signedIn: false, status: 200 },
  { path: "/api/health", signedIn: false, status: 200 },
  { path: "/_next/static/not-there.js", signedIn: false, status: 404 },
];

// The console's processes: the one started and its web processes (MAILBRIDGE_WEB_PROCESSES).
const consoleTree = (pid: number) => [pid, ...descendantsOf(pid)];
// utime + stime of a process, in ms (clock ticks are 10 ms on Linux); 0 once it has ended
const processCpuMs = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
};
const cpuMs = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);

async function waitHealthy(url: string, child: { exitCode: number | null }) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("the console exited while starting");
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the console did not become healthy within 60 s");
}

export async function benchConsole(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: "string", default: "100000" },
      requests: { type: "string", default: "100000" },
      seconds: { type: "string", default: "10" },
      connections: { type: "string", default: "20" },
      port: { type: "string", default: "3399" },
      "seed-hook": { type: "string" },
      "no-build": { type: "boolean", default: false },
      only: { type: "string" },
      // reuse (or fill once) a seeded data directory, kept afterwards: repeated runs skip the seeding
      "keep-data": { type: "string" },
      // write a CPU profile of the console to this directory when it stops
      "cpu-prof-dir": { type: "string" },
      // MAILBRIDGE_WEB_PROCESSES for the console (default: its own default, one per core)
      "web-processes": { type: "string" },
      // Node flags for the console and its web processes (they inherit them), e.g. "--max-semi-space-size=32"
      "node-flags": { type: "string" },
    },
  });
  const seconds = Math.min(Number(values.seconds), 60);
  const connections = Math.min(Number(values.connections), 200);
  if (!values["no-build"]) buildIfNeeded(root);
  const keep = values["keep-data"] ? path.resolve(values["keep-data"]) : null;
  if (keep) mkdirSync(keep, { recursive: true, mode: 0o700 });
  const dataDir = keep ?? mkdtempSync(path.join(os.tmpdir(), "mailbridge-bench-"));
  const targetsFile = path.join(dataDir, "bench-targets.json");
  const adminFile = path.join(dataDir, "bench-admin.json");
  const url = `http://127.0.0.1:${values.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: values.port,
    HOSTNAME: "127.0.0.1",
    MAILBRIDGE_PUBLIC_URL: url,
    MAILBRIDGE_DATA_DIR: dataDir,
    DATABASE_URL: "",
    MAILBRIDGE_SECRET_KEY: "",
    NEXT_TELEMETRY_DISABLED: "1",
    ...(values["web-processes"] ? { MAILBRIDGE_WEB_PROCESSES: values["web-processes"] } : {}),
  };
  const profile = values["cpu-prof-dir"]
    ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values["cpu-prof-dir"])}`]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      ...(values["node-flags"]?.split(/\s+/).filter(Boolean) ?? []),
      "--import",
      "tsx",
      path.join(root, "lib/cli/start.ts"),
      "--no-build",
    ],
    {
      cwd: root,
      env,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    await waitHealthy(url, child);
    const seededBefore = existsSync(targetsFile) && existsSync(adminFile);
    const admin = seededBefore
      ? (JSON.parse(readFileSync(adminFile, "utf8")) as { email: string; password: string })
      : { email: "bench@mailbridge.test", password: `Bench-${randomBytes(9).toString("base64url")}` };
    if (seededBefore) console.log(`reusing the data seeded in ${dataDir}`);
    else console.log(`seeding ${values.rows} fetch runs and ${values.requests} requests…`);
    if (!seededBefore)
      execFileSync(
        process.execPath,
        [
          "--conditions=react-server",
          "--import",
          "tsx",
          path.join(root, "bench/seed.ts"),
          admin.email,
          admin.password,
          values.rows,
          values.requests,
          targetsFile,
          ...(values["seed-hook"] ? [values["seed-hook"]] : []),
        ],
        { cwd: root, env, stdio: "inherit" },
      );
    if (keep && !seededBefore) writeFileSync(adminFile, JSON.stringify(admin), { mode: 0o600 });
    const cookie = await signInCookie(url, admin.email, admin.password);
    console.log(`${connections} clients, ${seconds} s per page, console pids ${consoleTree(child.pid!).join(" ")}`);
    const seeded = JSON.parse(readFileSync(targetsFile, "utf8")) as SeededRequests;
    const targets = [
      ...TARGETS.slice(0, 5),
      ...(seeded.requestId ? [{ path: `/requests/${seeded.requestId}`, signedIn: true, status: 200 }] : []),
      ...(seeded.otherMailId ? [{ path: `/requests/mail/${seeded.otherMailId}`, signedIn: true, status: 200 }] : []),
      { path: "/requests?view=other", signedIn: true, status: 200 },
      ...TARGETS.slice(5),
    ];
    const results: LoadResult[] = [];
    const chosen = targets.filter((t) => !values.only || values.only.split(",").includes(t.path));
    // A warm-up of every page first, as on a console that has been running: the first compile of each route, and
    // the optimizing compiler's work on the rendering code all pages share, then count for no page (it otherwise
    // fell on whichever page came first).
    for (const target of chosen)
      await load({
        origin: url,
        path: target.path,
        cookie: target.signedIn ? cookie : undefined,
        connections: 2,
        seconds: 1,
        expectStatus: target.status,
      });
    for (const target of chosen) {
      const tree = consoleTree(child.pid!);
      const cpuBefore = cpuMs(tree);
      const result = await load({
        origin: url,
        path: target.path,
        cookie: target.signedIn ? cookie : undefined,
        connections,
        seconds,
        expectStatus: target.status,
      });
      // CPU per request says where time goes even when other work shares the machine (latency does not)
      const cpuPerRequest = ((cpuMs(tree) - cpuBefore) / Math.max(1, result.requests)).toFixed(1);
      results.push(result);
      console.log(
        `${result.path.replace(/[0-9a-f-]{36}/, ":id").padEnd(28)} ${String(result.perSecond).padStart(6)} req/s  p50 ${String(result.p50).padStart(5)} ms  p99 ${String(result.p99).padStart(5)} ms  max ${String(result.max).padStart(5)} ms  cpu ${cpuPerRequest.padStart(5)} ms/req  errors ${result.errors}/${result.requests}`,
      );
    }
    const rss = consoleTree(child.pid!).map(rssMb);
    console.log(
      `console memory afterwards: ${rss.reduce((a, b) => a + b, 0)} MB resident${rss.length > 1 ? ` (${rss.join(" + ")})` : ""}`,
    );
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
