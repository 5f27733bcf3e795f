import "server-only";
// The outbox: every message Mailbridge sends is composed and written here first (raw MIME, a Message-ID of
// its own, a unique idempotency key), then sent by the outbox worker. Callers never talk to a mail server.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { composeMessage, type MessageParts } from "./compose";
import { loadServer } from "./server-settings";
import { wakeOutbox } from "./outbox-signal";

export const OUTBOX_KINDS = ["test", "reply", "notice", "failure_notice"] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
export const OUTBOX_STATES = ["queued", "sending", "sent", "failed", "cancelled"] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** The message (recipients, subject, body, threading headers); the sender comes from the outgoing settings. */
export type EnqueueInput = Pick<MessageParts, "to" | "subject" | "text" | "html" | "inReplyTo" | "references"> & {
  kind: OutboxKind;
  /** the caller's key: the same key twice keeps the first message (e.g. "reply:<requestId>:<noteId>") */
  idempotencyKey: string;
  /** the sender address when it is not the outgoing account's (a reply goes out from the request's mailbox) */
  fromAddress?: string;
  /** the request this message belongs to (replies), for the console */
  requestId?: string;
  userId?: string;
  maxAttempts?: number;
  /** the caller sends it itself right away (Send test mail): the worker leaves it alone this long */
  holdMs?: number;
};

export type EnqueuedMessage = { id: string; created: boolean };

/** Composes the message with the configured sender and stores it, once per idempotency key. */
export async function enqueueMail(input: EnqueueInput): Promise<EnqueuedMessage> {
  const existing = await db().outboxMessage.findUnique({
    where: { idempotencyKey: input.idempotencyKey },
    select: { id: true },
  });
  if (existing) return { id: existing.id, created: false };
  const server = await loadServer();
  if (!server) throw new UserFacingError("Configure the outgoing mail settings first.");
  const parts: MessageParts = {
    fromAddress: input.fromAddress || server.username,
    senderName: server.senderName || undefined,
    replyTo: server.replyTo || undefined,
    to: input.to,
    subject: input.subject,
    text: input.text,
    html: input.html,
    inReplyTo: input.inReplyTo,
    references: input.references,
  };
  const message = await composeMessage(parts);
  try {
    const row = await db().outboxMessage.create({
      data: {
        idempotencyKey: input.idempotencyKey,
        kind: input.kind,
        fromAddress: message.from,
        toAddresses: JSON.stringify(message.to),
        subject: input.subject,
        messageId: message.messageId,
        inReplyTo: input.inReplyTo ?? null,
        references: input.references ? JSON.stringify(input.references) : null,
        requestId: input.requestId ?? null,
        bodyText: input.text,
        raw: new Uint8Array(message.raw),
        sizeBytes: message.raw.length,
        maxAttempts: input.maxAttempts ?? 8,
        userId: input.userId ?? null,
        ...(input.holdMs ? { nextAttemptAt: new Date(Date.now() + input.holdMs) } : {}),
      },
      select: { id: true },
    });
    if (!input.holdMs) wakeOutbox();
    return { id: row.id, created: true };
  } catch (error) {
    // Two callers with the same key at once: the unique index kept the first.
    const winner = await db().outboxMessage.findUnique({
      where: { idempotencyKey: input.idempotencyKey },
      select: { id: true },
    });
    if (winner) return { id: winner.id, created: false };
    throw error;
  }
}

/** Sends a failed (or long-waiting) message again now, with a fresh set of attempts. */
export async function retryOutboxMessage(id: string): Promise<void> {
  const { count } = await db().outboxMessage.updateMany({
    where: { id, state: { in: ["failed", "queued"] } },
    data: { state: "queued", nextAttemptAt: new Date(), needsReview: false, phase: null, attempts: 0 },
  });
  if (count === 0) throw new UserFacingError("Only a failed or queued message can be retried.");
  wakeOutbox();
}

export async function cancelOutboxMessage(id: string): Promise<void> {
  const { count } = await db().outboxMessage.updateMany({
    where: { id, state: { in: ["failed", "queued"] } },
    data: { state: "cancelled", needsReview: false },
  });
  if (count === 0)
    throw new UserFacingError("Only a queued or failed message can be cancelled (a message being sent cannot).");
}

export async function outboxCounts(): Promise<Record<OutboxState, number>> {
  const groups = await db().outboxMessage.groupBy({ by: ["state"], _count: { _all: true } });
  const counts = Object.fromEntries(OUTBOX_STATES.map((state) => [state, 0])) as Record<OutboxState, number>;
  for (const group of groups) counts[group.state as OutboxState] = group._count._all;
  return counts;
}
