// `npm run bench -- ingest [--mails 2000] [--size 26000] [--runs 5] [--providers sqlite,postgresql] [--cpu-prof]
// [--no-extract] [--precompiled] [--mem-trace] [--warm-up 250] [--warm-fetches 12] [--jit-log]`: mail → committed request and →
// fully extracted, each against a bare imapflow `FETCH 1:* (UID BODY.PEEK[])` of the same folder right before it,
// on SQLite and PostgreSQL, with the peak RSS; each pair `--runs` times into a fresh database,
// the median of the runs reported (the peak RSS, a bound: the highest) with their lowest and highest ratios.
// Both sides are timed alike: from before the connection (TLS, login, SELECT) to the last mail. `--cpu-prof`
// writes the fetcher process's CPU profile to bench/results/profiles; `--no-extract` leaves extraction out (a
// diagnosis, not the target's setting); `--precompiled` runs the fetcher's process from a bundle on plain Node (no
// TypeScript loader); `--mem-trace` prints the highest of the main thread's `process.memoryUsage()` figures
// (sampled every 20 ms). `--warm-up N --warm-fetches K` (250 and 12 by default): the fetcher's process first fetches
// the N mails of another folder K times, each into another mailbox over a connection of its own, unmeasured, as a
// running fetcher has fetched before (the bare fetch runs in this process, warm too); `--warm-up 0` measures a new
// process's first fetch, which also compiles the code it runs. The peak RSS covers all of its fetches. `--jit-log`
// counts the functions V8 optimized during the measured fetch (bench/jit-log.ts). Prints the ratios and writes bench/results/ingest-<time>.json.
import { randomBytes } from "node:crypto";
import { execFileSync, fork } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { startRig } from "@/e2e/rig/index";
import type { RigInfo } from "@/e2e/rig/info";
import { ensureFolder } from "@/e2e/rig/mailbox";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { jitLogFile, optimizedInWindow } from "./jit-log";

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function textOption(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

function imapClient(rig: RigInfo) {
  const alice = rig.auth.users.alice;
  return new ImapFlow({
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    secure: true,
    logger: false,
    tls: { ca: readFileSync(rig.caFile, "utf8") },
    auth: { user: alice.username, pass: alice.password },
  });
}

function benchMail(i: number, size: number): string {
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
  const body = line.repeat(Math.max(1, Math.ceil(size / line.length)));
  return [
    `From: Customer ${i} <customer${i}@example.org>`,
    "To: support@rig.test",
    `Subject: Bench mail ${i}`,
    `Message-ID: <${randomBytes(8).toString("hex")}@bench.example>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    body,
  ].join("\r\n");
}

async function fillFolder(rig: RigInfo, folder: string, mails: number, size: number): Promise<void> {
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  const client = imapClient(rig);
  await client.connect();
  for (let i = 1; i <= mails; i++)
    await client.append(folder, benchMail(i, size), [], new Date(Date.now() - 3_600_000));
  await client.logout();
}

/** Timed like the fetcher: connecting, logging in and opening the folder count too. */
async function bareFetchMs(
  rig: RigInfo,
  folder: string,
): Promise<{ ms: number; connectMs: number; bytes: number; count: number }> {
  const start = performance.now();
  const client = imapClient(rig);
  await client.connect();
  await client.mailboxOpen(folder, { readOnly: true });
  const connectMs = performance.now() - start;
  let bytes = 0;
  let count = 0;
  for await (const message of client.fetch("1:*", { uid: true, source: true })) {
    bytes += message.source?.length ?? 0;
    count++;
  }
  const ms = performance.now() - start;
  await client.logout();
  return { ms, connectMs, bytes, count };
}

type IngestResult = {
  committedMs: number;
  extractedMs: number;
  /** connecting, logging in and opening the folder (inside committedMs, as in the bare fetch's time) */
  connectMs: number;
  requests: number;
  stored: number;
  profileFile?: string;
  peakRssMb: number;
  /** the peak RSS before the measured fetch's first mail */
  rssBeforeMb: number;
  /** with --mem-trace: the main thread's highest memory figures during the run (MB) */
  memory?: Record<string, number>;
  /** the measured fetch's span in the process's own time (ms): first step to last commit */
  windowMs: [number, number];
  /** with --jit-log: optimized functions the process made during that span */
  optimizedInFetch?: number;
};

type RunRow = {
  bytes: number;
  bareFetchMs: number;
  bareConnectMs: number;
  committedMs: number;
  extractedMs: number;
  connectMs: number;
  committedRatio: number;
  extractedRatio: number;
  requests: number;
  peakRssMb: number;
  rssBeforeMb: number;
  optimizedInFetch?: number;
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The lowest and highest of the runs, as "0.45–0.67". */
const spread = (rows: RunRow[], key: "committedRatio" | "extractedRatio") => {
  const values = rows.map((r) => r[key]);
  return `${Math.min(...values)}–${Math.max(...values)}`;
};

/** The fetcher runs in a process of its own, so its peak RSS is its own (not the rig's or this runner's). */
type ChildOptions = {
  databaseUrl?: string;
  cpuProf: boolean;
  memTrace: boolean;
  extract: boolean;
  precompiled: string | null;
  /** the warm-up folder the fetcher's process fetches first (`--warm-up`), or null */
  warmFolder: string | null;
  /** how many times it is fetched, each time into another mailbox over a connection of its own */
  warmFetches: number;
  jitLog: boolean;
};

/**
 * `--precompiled`: the fetcher's process runs one bundled JavaScript file on plain Node instead of TypeScript
 * through tsx's loader (which costs memory of its own: its hooks run on a thread of their own).
 */
function precompileChild(): string {
  const out = path.resolve("test-results", "bench-ingest-child.mjs");
  execFileSync(
    path.resolve("node_modules/.bin/esbuild"),
    [
      "bench/ingest-child.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--packages=external",
      "--conditions=react-server",
      "--tsconfig=tsconfig.json",
      `--outfile=${out}`,
      "--log-level=warning",
    ],
    { stdio: "inherit" },
  );
  return out;
}

/** Runs a bench script in a process of its own; resolves with the last line it prints, as JSON. */
function runScript<T>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<T> {
  const compiled = script.endsWith(".mjs");
  return new Promise((resolve, reject) => {
    const child = fork(path.resolve(script), args, {
      execArgv: [...(compiled ? [] : ["--import", "tsx"]), "--conditions=react-server", ...nodeFlags],
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!) as T)
        : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

/**
 * The fetcher runs in a process of its own, so its peak RSS is its own (not the rig's or this runner's); its
 * database is migrated and its mailbox stored by another process before, as the console would have.
 */
async function ingestInChild(rig: RigInfo, folder: string, opts: ChildOptions): Promise<IngestResult> {
  const infoFile = path.join(os.tmpdir(), `mailbridge-bench-rig-${process.pid}.json`);
  writeFileSync(infoFile, JSON.stringify(rig));
  const prepared = await runScript<{ mailboxId: string; warmMailboxIds: string[]; env: Record<string, string> }>(
    "bench/ingest-prepare.ts",
    [infoFile, folder, opts.databaseUrl ?? "", ...(opts.warmFolder ? [opts.warmFolder, String(opts.warmFetches)] : [])],
  );
  const flags = [
    ...(opts.cpuProf ? ["cpu-prof"] : []),
    ...(opts.memTrace ? ["mem-trace"] : []),
    ...(opts.extract ? [] : ["no-extract"]),
    ...(prepared.warmMailboxIds.length > 0 ? [`warm-up=${prepared.warmMailboxIds.join("+")},${opts.warmFolder}`] : []),
  ];
  const jit = opts.jitLog ? jitLogFile() : null;
  try {
    const result = await runScript<IngestResult>(
      opts.precompiled ?? "bench/ingest-child.ts",
      [infoFile, folder, prepared.mailboxId, ...flags],
      prepared.env,
      jit?.execArgv,
    );
    return jit ? { ...result, optimizedInFetch: optimizedInWindow(jit.file, ...result.windowMs) } : result;
  } finally {
    // The run's data folder (its SQLite database and some 60 MB of stored mail) is of no use after.
    rmSync(prepared.env.MAILBRIDGE_DATA_DIR, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const mails = option(args, "mails", 2000);
  const size = option(args, "size", 26_000);
  // Five runs by default: single runs of the same code spread ±15% on this machine (PostgreSQL committed 0.40–0.72
  // over 52 runs in one afternoon), so a median of three still fell below the run-to-run median now and then.
  const runs = Math.max(1, option(args, "runs", 5));
  const providers = textOption(args, "providers", "sqlite,postgresql").split(",") as ("sqlite" | "postgresql")[];
  const cpuProf = args.includes("--cpu-prof");
  const memTrace = args.includes("--mem-trace");
  const jitLog = args.includes("--jit-log");
  const extract = !args.includes("--no-extract");
  const precompiled = args.includes("--precompiled") ? precompileChild() : null;
  // A running fetcher has made many fetches, each over a connection of its own: the first fetches of a process
  // still compile (and, after the objects of a new connection, recompile) what they run. The count of functions
  // optimized during the measured fetch (`--jit-log`) stops falling from about 8 fetches of 250 mails (41–47 after
  // 4, 21–30 after 8, 12 or 16): with 12, what is optimized during the measured fetch is what every fetch makes
  // again, as in a fetcher that has run for a while. The bare side is warm too (three passes of the folder).
  const warmUpMails = option(args, "warm-up", 250);
  const warmFetches = Math.max(1, option(args, "warm-fetches", 12));
  const rig = await startRig({ dir: path.join("test-results", `bench-rig-${process.pid}`) });
  try {
    const folder = `Bench-${randomBytes(3).toString("hex")}`;
    console.log(`filling ${folder} with ${mails} mails of ~${size} bytes…`);
    await fillFolder(rig.info, folder, mails, size);
    const warmFolder = warmUpMails > 0 ? `${folder}-warm-up` : null;
    if (warmFolder) await fillFolder(rig.info, warmFolder, warmUpMails, size);
    // Unmeasured passes first: the first runs' baseline would otherwise read a cold folder with code not yet
    // compiled (here the first two passes took ~540 ms, the next ten 350–390 ms, which flattered the first run).
    for (let pass = 0; pass < 3; pass++) await bareFetchMs(rig.info, folder);
    console.log("timing: both the bare FETCH and the fetcher include connecting, logging in and opening the folder");
    console.log(
      warmFolder
        ? `the fetcher's process first fetches ${warmUpMails} mails of ${warmFolder} (unmeasured, ${warmFetches} time(s), each into another mailbox), as a running fetcher has fetched before`
        : "the fetcher's process is new: its first fetch is measured",
    );
    const results: Record<string, unknown>[] = [];
    // The providers take turns run by run, so that a drift of the machine over the bench weighs on both alike.
    const rowsOf = new Map(providers.map((provider) => [provider, [] as RunRow[]]));
    const ingestProfiles: string[] = [];
    for (let run = 0; run < runs; run++) {
      for (const provider of providers) {
        const rows = rowsOf.get(provider)!;
        const bare = await bareFetchMs(rig.info, folder);
        const ingest = await ingestInChild(rig.info, folder, {
          databaseUrl: provider === "postgresql" ? await createPostgresDatabase() : undefined,
          cpuProf,
          memTrace,
          extract,
          precompiled,
          warmFolder,
          warmFetches,
          jitLog,
        });
        if (ingest.profileFile) ingestProfiles.push(ingest.profileFile);
        if (ingest.memory)
          console.log(`${provider}: main thread's highest memory (MB): ${JSON.stringify(ingest.memory)}`);
        rows.push({
          bytes: bare.bytes,
          bareFetchMs: Math.round(bare.ms),
          bareConnectMs: Math.round(bare.connectMs),
          committedMs: Math.round(ingest.committedMs),
          extractedMs: Math.round(ingest.extractedMs),
          connectMs: Math.round(ingest.connectMs),
          committedRatio: +(bare.ms / ingest.committedMs).toFixed(3),
          extractedRatio: +(bare.ms / ingest.extractedMs).toFixed(3),
          requests: ingest.requests,
          peakRssMb: ingest.peakRssMb,
          rssBeforeMb: ingest.rssBeforeMb,
          ...(ingest.optimizedInFetch !== undefined ? { optimizedInFetch: ingest.optimizedInFetch } : {}),
        });
      }
    }
    for (const file of ingestProfiles) console.log(`CPU profile of the fetch: ${file}`);
    for (const [provider, rows] of rowsOf) {
      const of = (key: Exclude<keyof RunRow, "optimizedInFetch">) => +median(rows.map((r) => r[key])).toFixed(3);
      const row = {
        provider,
        mails,
        runs: rows,
        committedRatio: of("committedRatio"),
        extractedRatio: of("extractedRatio"),
        // a bound, so the highest of the runs
        peakRssMb: Math.max(...rows.map((r) => r.peakRssMb)),
        rssBeforeMb: of("rssBeforeMb"),
      };
      results.push(row);
      for (const r of rows)
        console.log(
          `${provider}: bare FETCH ${r.bareFetchMs} ms (of which connect ${r.bareConnectMs} ms) · committed requests ${r.committedMs} ms (of which connect ${r.connectMs} ms; ratio ${r.committedRatio}) · fully extracted ${r.extractedMs} ms (ratio ${r.extractedRatio}) · ${r.requests} requests · fetcher peak RSS ${r.peakRssMb} MB (${r.rssBeforeMb} MB before the measured fetch)${r.optimizedInFetch !== undefined ? ` · ${r.optimizedInFetch} functions optimized during the fetch` : ""}`,
        );
      console.log(
        `${provider}, median of ${runs}${extract ? "" : " WITHOUT extraction"}: committed ratio ${row.committedRatio} (target ≥ 0.5; runs ${spread(rows, "committedRatio")}) · extracted ratio ${row.extractedRatio} (target ≥ 0.25; runs ${spread(rows, "extractedRatio")}) · peak RSS ${row.peakRssMb} MB, the highest of the runs (target < 256 MB; ${row.rssBeforeMb} MB before the measured fetch)`,
      );
    }
    const file = path.join("bench", "results", `ingest-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    const timing = "both times include connecting, logging in and opening the folder";
    const report = {
      at: new Date().toISOString(),
      mails,
      size,
      runs,
      extract,
      precompiled: !!precompiled,
      warmUpMails,
      warmFetches,
      timing,
      loadavg: os.loadavg(),
      results,
    };
    writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
    console.log(`wrote ${file}`);
  } finally {
    await rig.stop();
  }
}
