// `npm run bench -- ingest [--mails 2000] [--size 26000]`: mail → committed request and → fully extracted,
// each against a bare imapflow `FETCH 1:* (UID BODY.PEEK[])` of the same folder in the same run, on SQLite and
// PostgreSQL, with the peak RSS. Prints the ratios and writes bench/results/ingest-<time>.json.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { startRig } from "@/e2e/rig/index";
import type { RigInfo } from "@/e2e/rig/info";
import { ensureFolder } from "@/e2e/rig/mailbox";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function imapClient(rig: RigInfo) {
  const alice = rig.auth.users.alice;
  return new ImapFlow({
    host: rig.imap.host, port: rig.imap.tlsPort, secure: true, logger: false,
    tls: { ca: readFileSync(rig.caFile, "utf8") }, auth: { user: alice.username, pass: alice.password },
  });
}

function benchMail(i: number, size: number): string {
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
  const body = line.repeat(Math.max(1, Math.ceil(size / line.length)));
  return [
    `From: Customer ${i} <customer${i}@example.org>`, "To: support@rig.test", `Subject: Bench mail ${i}`,
    `Message-ID: <${randomBytes(8).toString("hex")}@bench.example>`, `Date: ${new Date().toUTCString()}`, "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8", "", body,
  ].join("\r\n");
}

async function fillFolder(rig: RigInfo, folder: string, mails: number, size: number): Promise<void> {
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  const client = imapClient(rig);
  await client.connect();
  for (let i = 1; i <= mails; i++) await client.append(folder, benchMail(i, size), [], new Date(Date.now() - 3_600_000));
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

async function ingestMs(rig: RigInfo, folder: string, databaseUrl?: string) {
  await useTestDatabase({ databaseUrl });
  (globalThis as { mailbridgeIngestDb?: unknown }).mailbridgeIngestDb = undefined;
  const { createTestMailbox } = await import("@/lib/fetcher/test-support");
  const { claimLease, releaseLease } = await import("@/lib/fetcher/lease");
  const { ingestMailbox } = await import("@/lib/fetcher/ingest-run");
  const { ingestDb } = await import("@/lib/fetcher/fetch-mailbox");
  const { extractPending } = await import("@/lib/fetcher");
  const { sourceForMailbox, StepRecorder } = await import("@/lib/mail/incoming");
  const { db } = await import("@/lib/db");
  const box = await createTestMailbox(rig, { folder, importSince: new Date(Date.now() - 86_400_000) });
  const lease = (await claimLease(box.id))!;
  const start = performance.now();
  const session = await (await sourceForMailbox(box)).connect({ steps: new StepRecorder() });
  await session.openFolder(folder, { readOnly: true });
  const totals = await ingestMailbox({ db: ingestDb(), lease, session, mailbox: { ...box, afterFetch: { action: "leave" } }, batchSize: 100, signal: new AbortController().signal });
  const committedMs = performance.now() - start;
  await session.close();
  while ((await extractPending({ mailboxId: box.id, limit: 500 })) > 0);
  const extractedMs = performance.now() - start;
  await releaseLease(lease);
  const requests = await db().request.count();
  await ingestDb().close();
  return { committedMs, extractedMs, requests, stored: totals.stored };
}

export async function run(args: string[]): Promise<void> {
  const mails = option(args, "mails", 2000);
  const size = option(args, "size", 26_000);
  const rig = await startRig({ dir: path.join("test-results", `bench-rig-${process.pid}`) });
  try {
    process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.info.caFile;
    process.env.MAILBRIDGE_LOG_LEVEL = "error";
    const folder = `Bench-${randomBytes(3).toString("hex")}`;
    console.log(`filling ${folder} with ${mails} mails of ~${size} bytes…`);
    await fillFolder(rig.info, folder, mails, size);
    const results: Record<string, unknown>[] = [];
    for (const provider of ["sqlite", "postgresql"] as const) {
      const bare = await bareFetchMs(rig.info, folder);
      const ingest = await ingestMs(rig.info, folder, provider === "postgresql" ? await createPostgresDatabase() : undefined);
      const row = {
        provider, mails, bytes: bare.bytes, bareFetchMs: Math.round(bare.ms), committedMs: Math.round(ingest.committedMs), extractedMs: Math.round(ingest.extractedMs),
        committedRatio: +(bare.ms / ingest.committedMs).toFixed(3), extractedRatio: +(bare.ms / ingest.extractedMs).toFixed(3), requests: ingest.requests,
      };
      results.push(row);
      console.log(`${provider}: bare FETCH ${row.bareFetchMs} ms · committed requests ${row.committedMs} ms (ratio ${row.committedRatio}, target ≥ 0.5) · fully extracted ${row.extractedMs} ms (ratio ${row.extractedRatio}, target ≥ 0.25) · ${row.requests} requests`);
    }
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(`peak RSS ${peakRssMb} MB (target < 256 MB)`);
    const file = path.join("bench", "results", `ingest-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), mails, size, peakRssMb, results }, null, 2) + "\n");
    console.log(`wrote ${file}`);
  } finally {
    await rig.stop();
  }
}
