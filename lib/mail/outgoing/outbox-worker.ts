import "server-only";
// The background loop that sends the outbox: recover abandoned messages, claim due ones one by one and send
// them, then sleep until the next poll or until a message is queued in this process. Self-contained: the
// console process (or a worker process) starts it once and stops it on shutdown.
import { randomUUID } from "node:crypto";
import { logUnexpected } from "@/lib/log";
import { claimMessage, DEFAULT_LEASE_MS, nextDueIds } from "./outbox-claim";
import { deliverClaimed } from "./outbox-delivery";
import { pruneFinished, recoverAbandoned } from "./outbox-recovery";
import { onOutboxWake } from "./outbox-signal";

export type OutboxWorkerOptions = { pollMs?: number; leaseMs?: number; batch?: number; owner?: string };
export type OutboxWorker = {
  readonly owner: string;
  stop(): Promise<void>;
  /** runs one pass now (tests) */ tick(): Promise<number>;
};

export function startOutboxWorker(opts: OutboxWorkerOptions = {}): OutboxWorker {
  const owner = opts.owner ?? `outbox-${process.pid}-${randomUUID().slice(0, 8)}`;
  const pollMs = opts.pollMs ?? 15_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  // Passes run one after another; a tick while one runs queues one more pass (never more than one waiting).
  let chain: Promise<number> = Promise.resolve(0);
  let waiting: Promise<number> | null = null;

  const pass = async (): Promise<number> => {
    let sent = 0;
    await recoverAbandoned();
    await pruneFinished();
    for (const id of await nextDueIds(opts.batch ?? 20)) {
      if (stopped) break;
      const claimed = await claimMessage(id, owner, { leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS });
      if (!claimed) continue;
      const result = await deliverClaimed(claimed, owner);
      if (result.ok) sent++;
    }
    return sent;
  };

  const tick = (): Promise<number> => {
    if (waiting) return waiting;
    const next = chain.then(() => {
      waiting = null;
      return stopped ? 0 : pass();
    });
    waiting = next.catch((error: unknown) => {
      logUnexpected("outbox worker", error);
      return 0;
    });
    chain = waiting;
    return waiting;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), pollMs);
  };
  const unsubscribe = onOutboxWake(() => void tick());
  void tick().finally(schedule);

  return {
    owner,
    tick,
    async stop() {
      stopped = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await chain;
    },
  };
}
