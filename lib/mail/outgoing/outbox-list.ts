import "server-only";
// The outbox as the Outgoing page lists it: plain SQL (lib/db/raw-read.ts) of the columns it shows, never the
// raw message or its body; the model query cost about 1.5–2 ms of CPU on every visit.
import { readRows } from "@/lib/db";
import type { OutboxState } from "./outbox";

export type OutboxListing = {
  id: string;
  kind: string;
  state: string;
  subject: string;
  toAddresses: string;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  hint: string | null;
  needsReview: boolean;
  server: string | null;
  queueId: string | null;
  sentAt: Date | null;
  createdAt: Date;
  sizeBytes: number;
};

/** Newest first, optionally only some states. */
export async function listOutbox(opts: { states?: OutboxState[]; take?: number } = {}): Promise<OutboxListing[]> {
  const states = opts.states ?? null;
  if (states?.length === 0) return [];
  return readRows<OutboxListing>(
    `SELECT "id", "kind", "state", "subject", "toAddresses", "attempts", "maxAttempts", "nextAttemptAt", "lastError",
       "hint", "needsReview", "server", "queueId", "sentAt", "createdAt", "sizeBytes"
     FROM "OutboxMessage"
     ${states ? `WHERE "state" IN (${states.map(() => "?").join(", ")})` : ""}
     ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    [...(states ?? []), opts.take ?? 100],
    {
      attempts: "int",
      maxAttempts: "int",
      nextAttemptAt: "date",
      needsReview: "bool",
      sentAt: "date",
      createdAt: "date",
      sizeBytes: "int",
    },
  );
}
