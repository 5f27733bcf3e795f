// A mailbox is fetched by one process at a time: a lease on its row, claimed when free or lapsed, renewed
// while the fetch runs. Every claim bumps the epoch, and the fetcher's writes require its epoch (fencing), so a
// process that paused past its lease cannot write after another took over. Through the hot path's driver, as
// the fetcher's own writes are: the fetcher's process needs no ORM engine for it.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";
import { ingestDb, type IngestDb } from "./ingest-db";

export type Lease = { mailboxId: string; owner: string; epoch: number };

export const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

function leaseMs(): number {
  return config().fetch.leaseSeconds * 1000;
}

export async function claimLease(
  mailboxId: string,
  owner = PROCESS_OWNER,
  database: IngestDb = ingestDb(),
): Promise<Lease | null> {
  return database.transaction(async (sql) => {
    const now = new Date();
    const claimed = await sql.run(
      `UPDATE "IncomingMailbox" SET "leaseOwner" = ?, "leaseUntil" = ?, "leaseEpoch" = "leaseEpoch" + 1, "updatedAt" = ? WHERE "id" = ? AND ("leaseUntil" IS NULL OR "leaseUntil" < ?)`,
      [owner, new Date(now.getTime() + leaseMs()), now, mailboxId, now],
    );
    if (claimed !== 1) return null;
    const row = await sql.get<{ leaseOwner: string | null; leaseEpoch: number }>(
      `SELECT "leaseOwner", "leaseEpoch" FROM "IncomingMailbox" WHERE "id" = ?`,
      [mailboxId],
    );
    return row?.leaseOwner === owner ? { mailboxId, owner, epoch: Number(row.leaseEpoch) } : null;
  });
}

/** Updates the mailbox row (`set`) only while the lease is still ours; says whether it was. */
async function onOwnLease(database: IngestDb, lease: Lease, set: string, params: (string | Date | null)[]) {
  const changed = await database.transaction((sql) =>
    sql.run(
      `UPDATE "IncomingMailbox" SET ${set}, "updatedAt" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "leaseEpoch" = ?`,
      [...params, new Date(), lease.mailboxId, lease.owner, lease.epoch],
    ),
  );
  return changed === 1;
}

export function renewLease(lease: Lease, database: IngestDb = ingestDb()): Promise<boolean> {
  return onOwnLease(database, lease, `"leaseUntil" = ?`, [new Date(Date.now() + leaseMs())]);
}

export async function releaseLease(lease: Lease, database: IngestDb = ingestDb()): Promise<void> {
  await onOwnLease(database, lease, `"leaseOwner" = NULL, "leaseUntil" = NULL`, []);
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
