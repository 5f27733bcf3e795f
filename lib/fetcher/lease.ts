// A mailbox is fetched by one process at a time: a lease on its row, claimed when free or lapsed, renewed
// while the fetch runs. Every claim bumps the epoch, and the fetcher's writes require its epoch (fencing), so a
// process that paused past its lease cannot write after another took over.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";
import { db } from "@/lib/db";

export type Lease = { mailboxId: string; owner: string; epoch: number };

export const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

function leaseMs(): number {
  return config().fetch.leaseSeconds * 1000;
}

export async function claimLease(mailboxId: string, owner = PROCESS_OWNER): Promise<Lease | null> {
  const now = new Date();
  const claimed = await db().incomingMailbox.updateMany({
    where: { id: mailboxId, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs()), leaseEpoch: { increment: 1 } },
  });
  if (claimed.count !== 1) return null;
  const row = await db().incomingMailbox.findUnique({
    where: { id: mailboxId },
    select: { leaseOwner: true, leaseEpoch: true },
  });
  return row?.leaseOwner === owner ? { mailboxId, owner, epoch: row.leaseEpoch } : null;
}

export async function renewLease(lease: Lease): Promise<boolean> {
  const renewed = await db().incomingMailbox.updateMany({
    where: { id: lease.mailboxId, leaseOwner: lease.owner, leaseEpoch: lease.epoch },
    data: { leaseUntil: new Date(Date.now() + leaseMs()) },
  });
  return renewed.count === 1;
}

export async function releaseLease(lease: Lease): Promise<void> {
  await db().incomingMailbox.updateMany({
    where: { id: lease.mailboxId, leaseOwner: lease.owner, leaseEpoch: lease.epoch },
    data: { leaseOwner: null, leaseUntil: null },
  });
}

/** Renews the lease every third of its length; aborts `controller` when the lease is lost. */
export function keepLease(lease: Lease, controller: AbortController): () => void {
  const timer = setInterval(
    () => {
      renewLease(lease)
        .then((ok) => {
          if (!ok) controller.abort(new Error("the mailbox lease was taken over by another process"));
        })
        .catch(() => undefined);
    },
    Math.max(250, leaseMs() / 3),
  );
  timer.unref();
  return () => clearInterval(timer);
}
