// One ingest measurement in its own process (see ingest.ts): imports the whole folder into a fresh database
// as requests and extracts every mail (alongside, as a scheduled fetch does); prints the timings and this
// process's peak RSS as one JSON line.
import { readFileSync } from "node:fs";
import type { RigInfo } from "@/e2e/rig/info";
import { useTestDatabase } from "@/e2e/support/test-db";

async function ingestMs(rig: RigInfo, folder: string, databaseUrl?: string) {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  process.env.MAILBRIDGE_LOG_LEVEL = "error";
  // The rig listens on 127.0.0.1, which production refuses by default.
  process.env.MAILBRIDGE_OUTBOUND_NETWORKS = "loopback";
  await useTestDatabase({ databaseUrl });
  const { createTestMailbox } = await import("@/e2e/support/fetcher-fixtures");
  const { claimLease, releaseLease } = await import("@/lib/fetcher/lease");
  const { ingestMailbox } = await import("@/lib/fetcher/ingest-run");
  const { ingestDb } = await import("@/lib/fetcher/fetch-mailbox");
  const { extractAlongside } = await import("@/lib/fetcher/extract-alongside");
  const { createSource, sourceConfigForMailbox, StepRecorder } = await import("@/lib/mail/incoming");
  const { db } = await import("@/lib/db");
  const box = await createTestMailbox(rig, { folder, importSince: new Date(Date.now() - 86_400_000) });
  const lease = (await claimLease(box.id))!;
  // What the process holds before its first mail: Node, the TypeScript loader, Prisma's engine, both drivers.
  const rssBeforeMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const start = performance.now();
  const session = await createSource(await sourceConfigForMailbox(box)).connect({ steps: new StepRecorder() });
  await session.openFolder(folder, { readOnly: true });
  const connectMs = performance.now() - start;
  // As in a scheduled fetch: each committed batch is extracted while the next ones are fetched.
  const extraction = extractAlongside({ mailboxId: box.id });
  const totals = await ingestMailbox({
    db: ingestDb(),
    lease,
    session,
    mailbox: { ...box, afterFetch: { action: "leave" } },
    batchSize: 100,
    signal: new AbortController().signal,
    onCommitted: extraction.committed,
  });
  const committedMs = performance.now() - start;
  await session.close();
  await extraction.finish(true);
  const extractedMs = performance.now() - start;
  await releaseLease(lease);
  const requests = await db().request.count();
  await ingestDb().close();
  return { committedMs, extractedMs, connectMs, rssBeforeMb, requests, stored: totals.stored };
}

async function main() {
  const [infoFile, folder, databaseUrl] = process.argv.slice(2);
  const rig = JSON.parse(readFileSync(infoFile, "utf8")) as RigInfo;
  const result = await ingestMs(rig, folder, databaseUrl || undefined);
  process.stdout.write(
    JSON.stringify({ ...result, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n",
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
