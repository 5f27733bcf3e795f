// The progress of an import since a date, for every protocol: its total is what the listing holds of the
// mail to import (the baseline tells which), counted when the import lists, and again when it resumes after a
// stop (what it stored already, plus what is left).
import type { IngestDb } from "./ingest-db";
import type { Lease } from "./lease";

/** Sets the import's total to what is stored of it plus `remaining`, fenced like every write of a run. */
export async function recordImportTotal(db: IngestDb, lease: Lease, remaining: number): Promise<void> {
  await db.transaction((sql) =>
    sql.run(
      `UPDATE "IncomingMailbox" SET "importTotal" = "importDone" + ? WHERE "id" = ? AND "leaseOwner" = ? AND "leaseEpoch" = ?`,
      [remaining, lease.mailboxId, lease.owner, lease.epoch],
    ),
  );
}
