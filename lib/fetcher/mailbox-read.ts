// The stored mailbox as the fetcher needs it, read through the hot path's driver: a fetcher process that reads
// its mailbox, holds its lease and stores its mail this way never loads the ORM's query engine (~100 MB).
import { decryptSecret } from "@/lib/crypto";
import type { db } from "@/lib/db";
import type { IngestDb } from "./ingest-db";

/** The row as the ORM returns it (types only: nothing of the ORM is loaded). */
type MailboxRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["incomingMailbox"]["findUnique"]>>>;

const BOOLEANS = ["startTls", "debug", "disableNewRequests", "enabled"] as const;
const DATES = [
  "lastFetchAt",
  "nextFetchAt",
  "leaseUntil",
  "importSince",
  "incidentSince",
  "incidentNotifiedAt",
  "createdAt",
  "updatedAt",
] as const;

/** SQLite holds booleans as 0/1 and dates as ISO text; pg returns both typed already. */
export function mailboxFromRow(row: Record<string, unknown>): MailboxRow {
  const out: Record<string, unknown> = { ...row };
  for (const key of BOOLEANS) out[key] = Boolean(row[key]);
  for (const key of DATES) {
    const value = row[key];
    out[key] = value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));
  }
  // Sealed at rest as every secret column is (lib/db/secret-extension.ts opens it the same way).
  if (typeof row.password === "string") out.password = decryptSecret(row.password, "IncomingMailbox.password");
  return out as MailboxRow;
}

export async function readMailbox(db: IngestDb, id: string): Promise<MailboxRow | null> {
  const row = await db.transaction(
    (sql) => sql.get<Record<string, unknown>>(`SELECT * FROM "IncomingMailbox" WHERE "id" = ?`, [id]),
    { durable: false },
  );
  return row ? mailboxFromRow(row) : null;
}
