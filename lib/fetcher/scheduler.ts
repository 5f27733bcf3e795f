import "server-only";
// Embedded scheduling: this process fetches every enabled mailbox that is due, at most `concurrency` at a time.
// Each mailbox runs on its own; a slow or failing one holds one slot and backs off, never the others. The
// lease on the row keeps other processes (worker processes on PostgreSQL) off a mailbox while it runs here.
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { log, logUnexpected } from "@/lib/log";
import { prepareMailTls } from "@/lib/mail/incoming/session";
import { fetchMailbox } from "./fetch-mailbox";

const TICK_MS = 5_000;

export type Scheduler = { stop(): Promise<void>; wake(): void; readonly running: ReadonlySet<string> };

export function startScheduler(opts: { concurrency?: number; tickMs?: number } = {}): Scheduler {
  const concurrency = opts.concurrency ?? config().fetch.concurrency;
  try {
    prepareMailTls();
  } catch (error) {
    // Each fetch over TLS then fails with this error, on its mailbox's page too.
    log.error("fetcher: the extra CA file (MAILBRIDGE_EXTRA_CA_FILE) cannot be used", {
      error: (error as Error).message,
    });
  }
  const running = new Map<string, Promise<void>>();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;
  let stopped = false;

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };

  async function tick(): Promise<void> {
    if (ticking || stopped) return;
    ticking = true;
    try {
      const free = concurrency - running.size;
      if (free > 0) {
        const now = new Date();
        const due = await db().incomingMailbox.findMany({
          where: {
            enabled: true,
            id: { notIn: [...running.keys()] },
            OR: [{ nextFetchAt: null }, { nextFetchAt: { lte: now } }],
            AND: [{ OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] }],
          },
          orderBy: { nextFetchAt: "asc" },
          take: free,
          select: { id: true },
        });
        for (const { id } of due) {
          const run = fetchMailbox(id, { signal: controller.signal })
            .then(() => undefined)
            .catch((error) => void logUnexpected("scheduled fetch", error))
            .finally(() => {
              running.delete(id);
              schedule(0);
            });
          running.set(id, run);
        }
      }
    } catch (error) {
      logUnexpected("fetch scheduler", error);
    } finally {
      ticking = false;
      schedule(opts.tickMs ?? TICK_MS);
    }
  }

  schedule(0);
  return {
    get running() {
      return new Set(running.keys());
    },
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller.abort(new Error("the fetcher is stopping"));
      await Promise.allSettled([...running.values()]);
    },
  };
}
