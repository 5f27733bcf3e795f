// One ingest measurement in its own process, as the fetcher's worker process runs (see ingest.ts): the mailbox
// read, the lease and the mail stored through the driver only (the ORM's engine is never loaded), the whole
// folder imported as requests and every mail extracted alongside, as a scheduled fetch does. Prints the timings
// and this process's peak RSS as one JSON line. With `cpu-prof`, the fetch's own span (connect to last commit)
// is profiled into bench/results/profiles. With `warm-up=<mailbox>+<mailbox>…,<folder>`, those mailboxes are fetched first,
// unmeasured.
import { writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import type { RigInfo } from "@/e2e/rig/info";

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** `mem-trace`: the main thread's memory sampled every 20 ms; the highest of each figure (MB) and when RSS peaked. */
function memoryTrace(enabled: boolean) {
  if (!enabled) return { stop: () => undefined };
  const start = performance.now();
  const peak: Record<string, number> = {};
  const timer = setInterval(() => {
    const usage = process.memoryUsage() as unknown as Record<string, number>;
    for (const [key, value] of Object.entries(usage)) {
      const mb = Math.round(value / 1048576);
      if (mb > (peak[key] ?? 0)) {
        peak[key] = mb;
        if (key === "rss") peak.rssAtMs = Math.round(performance.now() - start);
      }
    }
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

async function profiler(enabled: boolean) {
  if (!enabled) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      const dir = path.resolve("bench/results/profiles");
      mkdirSync(dir, { recursive: true });
      const file = path.join(
        dir,
        `ingest-${process.env.DATABASE_URL ? "postgresql" : "sqlite"}-${Date.now()}.cpuprofile`,
      );
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      return file;
    },
  };
}

async function ingestMs(rig: RigInfo, folder: string, mailboxId: string, flags: string[]) {
  const [warmMailboxIds, ...warmFolder] = (flags.find((flag) => flag.startsWith("warm-up=")) ?? "")
    .slice("warm-up=".length)
    .split(",");
  const warmUp = warmMailboxIds ? { mailboxIds: warmMailboxIds.split("+"), folder: warmFolder.join(",") } : null;
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  process.env.MAILBRIDGE_LOG_LEVEL = "error";
  // The rig listens on 127.0.0.1, which production refuses by default.
  process.env.MAILBRIDGE_OUTBOUND_NETWORKS = "loopback";
  const { claimLease, releaseLease } = await import("@/lib/fetcher/lease");
  const { ingestMailbox } = await import("@/lib/fetcher/ingest-run");
  const { ingestDb } = await import("@/lib/fetcher/ingest-db");
  const { readMailbox } = await import("@/lib/fetcher/mailbox-read");
  const { extractAlongside } = await import("@/lib/fetcher/extract-alongside");
  const { createSource, sourceConfigForMailbox, StepRecorder, prepareMailTls } =
    await import("@/lib/mail/incoming/session");
  // As the fetcher does when it starts (startScheduler): the TLS context is built once per process, not per fetch.
  prepareMailTls();
  /** One scheduled fetch of a mailbox's folder, extracted alongside; `measure` times and profiles it. */
  const fetchOnce = async (id: string, name: string, measure: boolean) => {
    const lease = (await claimLease(id))!;
    const box = (await readMailbox(ingestDb(), id))!;
    // What the process holds before this fetch's first mail: Node, the TypeScript loader, both drivers, imapflow
    // (and what a warm-up fetch left).
    const rssBeforeMb = peakRssMb();
    const profile = await profiler(measure && flags.includes("cpu-prof"));
    const trace = memoryTrace(measure && flags.includes("mem-trace"));
    const start = performance.now();
    const session = await createSource(await sourceConfigForMailbox(box)).connect({ steps: new StepRecorder() });
    await session.openFolder(name, { readOnly: true });
    const connectMs = performance.now() - start;
    // As in a scheduled fetch: each committed batch is extracted while the next ones are fetched.
    const extraction = flags.includes("no-extract")
      ? { committed() {}, finish: async () => {} }
      : extractAlongside({ mailboxId: box.id });
    const totals = await ingestMailbox({
      db: ingestDb(),
      lease,
      session,
      mailbox: { ...box, afterFetch: { action: "leave" } },
      batchSize: 100,
      signal: new AbortController().signal,
      onCommitted: extraction.committed,
    });
    const committedAt = performance.now();
    const committedMs = committedAt - start;
    const profileFile = await profile.stop();
    await session.close();
    await extraction.finish(true);
    const extractedMs = performance.now() - start;
    const memory = trace.stop();
    await releaseLease(lease);
    const windowMs: [number, number] = [start, committedAt];
    return { committedMs, extractedMs, connectMs, rssBeforeMb, totals, profileFile, memory, windowMs };
  };
  // `--warm-up`: a running fetcher has fetched before (its code is compiled); this process does so first.
  // Each warm-up fetch is a connection of its own, as each scheduled fetch is.
  for (const id of warmUp?.mailboxIds ?? []) await fetchOnce(id, warmUp!.folder, false);
  const { committedMs, extractedMs, connectMs, rssBeforeMb, totals, profileFile, memory, windowMs } = await fetchOnce(
    mailboxId,
    folder,
    true,
  );
  const counted = await ingestDb().transaction(
    (sql) => sql.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "Request" WHERE "mailboxId" = ?`, [mailboxId]),
    {
      durable: false,
    },
  );
  await ingestDb().close();
  return {
    committedMs,
    extractedMs,
    connectMs,
    rssBeforeMb,
    requests: Number(counted?.n ?? 0),
    stored: totals.stored,
    profileFile,
    memory,
    windowMs,
  };
}

async function main() {
  const [infoFile, folder, mailboxId, ...flags] = process.argv.slice(2);
  const rig = JSON.parse(readFileSync(infoFile, "utf8")) as RigInfo;
  const result = await ingestMs(rig, folder, mailboxId, flags);
  process.stdout.write(JSON.stringify({ ...result, peakRssMb: peakRssMb() }) + "\n");
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
