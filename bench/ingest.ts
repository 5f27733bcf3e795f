// `npm run bench -- ingest [--mails 2000] [--size 26000] [--runs 3]`: mail → committed request and → fully
// extracted, each against a bare imapflow `FETCH 1:* (UID BODY.PEEK[])` of the same folder right before it, on
// SQLite and PostgreSQL, with the peak RSS; each pair `--runs` times into a fresh database, the median reported.
// Prints the ratios and writes bench/results/ingest-<time>.json.
import { randomBytes } from "node:crypto";
import { fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { startRig } from "@/e2e/rig/index";
import type { RigInfo } from "@/e2e/rig/info";
import { ensureFolder } from "@/e2e/rig/mailbox";
import { createPostgresDatabase } from "@/e2e/support/postgres";

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
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

async function bareFetchMs(rig: RigInfo, folder: string): Promise<{ ms: number; bytes: number; count: number }> {
  const client = imapClient(rig);
  await client.connect();
  await client.mailboxOpen(folder, { readOnly: true });
  const start = performance.now();
  let bytes = 0;
  let count = 0;
  for await (const message of client.fetch("1:*", { uid: true, source: true })) {
    bytes += message.source?.length ?? 0;
    count++;
  }
  const ms = performance.now() - start;
  await client.logout();
  return { ms, bytes, count };
}

type IngestResult = {
  committedMs: number;
  extractedMs: number;
  /** connecting and opening the folder (inside committedMs; the bare fetch's own connect is not timed) */
  connectMs: number;
  requests: number;
  stored: number;
  peakRssMb: number;
  /** the peak RSS before the first mail */
  rssBeforeMb: number;
};

type RunRow = {
  bytes: number;
  bareFetchMs: number;
  committedMs: number;
  extractedMs: number;
  connectMs: number;
  committedRatio: number;
  extractedRatio: number;
  requests: number;
  peakRssMb: number;
  rssBeforeMb: number;
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The fetcher runs in a process of its own, so its peak RSS is its own (not the rig's or this runner's). */
function ingestInChild(rig: RigInfo, folder: string, databaseUrl?: string): Promise<IngestResult> {
  const infoFile = path.join(os.tmpdir(), `mailbridge-bench-rig-${process.pid}.json`);
  writeFileSync(infoFile, JSON.stringify(rig));
  return new Promise((resolve, reject) => {
    const child = fork(path.resolve("bench/ingest-child.ts"), [infoFile, folder, databaseUrl ?? ""], {
      execArgv: ["--import", "tsx", "--conditions=react-server"],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!) as IngestResult)
        : reject(new Error(`the ingest child exited ${code}`)),
    );
  });
}

export async function run(args: string[]): Promise<void> {
  const mails = option(args, "mails", 2000);
  const size = option(args, "size", 26_000);
  const runs = Math.max(1, option(args, "runs", 3));
  const rig = await startRig({ dir: path.join("test-results", `bench-rig-${process.pid}`) });
  try {
    const folder = `Bench-${randomBytes(3).toString("hex")}`;
    console.log(`filling ${folder} with ${mails} mails of ~${size} bytes…`);
    await fillFolder(rig.info, folder, mails, size);
    // One unmeasured pass first: the first provider's baseline would otherwise read a cold folder.
    await bareFetchMs(rig.info, folder);
    const results: Record<string, unknown>[] = [];
    for (const provider of ["sqlite", "postgresql"] as const) {
      const rows: RunRow[] = [];
      for (let run = 0; run < runs; run++) {
        const bare = await bareFetchMs(rig.info, folder);
        const ingest = await ingestInChild(
          rig.info,
          folder,
          provider === "postgresql" ? await createPostgresDatabase() : undefined,
        );
        rows.push({
          bytes: bare.bytes,
          bareFetchMs: Math.round(bare.ms),
          committedMs: Math.round(ingest.committedMs),
          extractedMs: Math.round(ingest.extractedMs),
          connectMs: Math.round(ingest.connectMs),
          committedRatio: +(bare.ms / ingest.committedMs).toFixed(3),
          extractedRatio: +(bare.ms / ingest.extractedMs).toFixed(3),
          requests: ingest.requests,
          peakRssMb: ingest.peakRssMb,
          rssBeforeMb: ingest.rssBeforeMb,
        });
      }
      const of = (key: keyof RunRow) => median(rows.map((r) => r[key]));
      const row = {
        provider,
        mails,
        runs: rows,
        committedRatio: of("committedRatio"),
        extractedRatio: of("extractedRatio"),
        peakRssMb: of("peakRssMb"),
        rssBeforeMb: of("rssBeforeMb"),
      };
      results.push(row);
      for (const r of rows)
        console.log(
          `${provider}: bare FETCH ${r.bareFetchMs} ms · committed requests ${r.committedMs} ms (of which connect ${r.connectMs} ms; ratio ${r.committedRatio}) · fully extracted ${r.extractedMs} ms (ratio ${r.extractedRatio}) · ${r.requests} requests · fetcher peak RSS ${r.peakRssMb} MB (${r.rssBeforeMb} MB before the first mail)`,
        );
      console.log(
        `${provider}, median of ${runs}: committed ratio ${row.committedRatio} (target ≥ 0.5) · extracted ratio ${row.extractedRatio} (target ≥ 0.25) · peak RSS ${row.peakRssMb} MB (target < 256 MB; ${row.rssBeforeMb} MB before the first mail)`,
      );
    }
    const file = path.join("bench", "results", `ingest-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), mails, size, runs, results }, null, 2) + "\n");
    console.log(`wrote ${file}`);
  } finally {
    await rig.stop();
  }
}
