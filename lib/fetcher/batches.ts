// How a listing is cut into batches, and the cursor to store once a batch is committed.
import type { ListedMessage, ListNewResult, SourceCursor } from "@/lib/mail/incoming/session";

/** Messages listed above this size are streamed to storage one by one, never buffered whole. */
export const STREAM_THRESHOLD = 4 * 1024 * 1024;
const BATCH_BYTES = 16 * 1024 * 1024;

export type Batch = { messages: ListedMessage[]; streamed: boolean; lastIndex: number };

/** Consecutive runs of small messages (bounded by count and bytes); each large message alone. */
export function cutBatches(listing: ListedMessage[], skip: Set<string>, batchSize: number): Batch[] {
  const batches: Batch[] = [];
  let current: Batch | null = null;
  let bytes = 0;
  listing.forEach((message, index) => {
    if (skip.has(message.id)) {
      if (current) current.lastIndex = index;
      return;
    }
    if ((message.size ?? 0) > STREAM_THRESHOLD) {
      batches.push({ messages: [message], streamed: true, lastIndex: index });
      current = null;
      return;
    }
    const bound = message.size ?? message.sizeAtMost ?? 0;
    if (!current || current.messages.length >= batchSize || bytes + bound > BATCH_BYTES) {
      current = { messages: [], streamed: false, lastIndex: index };
      bytes = 0;
      batches.push(current);
    }
    current.messages.push(message);
    current.lastIndex = index;
    bytes += bound;
  });
  return batches;
}

/** The cursor once listing[0..lastIndex] is stored (the last batch stores the listing's own next cursor). */
export function cursorThrough(
  listing: ListNewResult,
  previous: SourceCursor | null,
  lastIndex: number,
): SourceCursor | null {
  const { messages, nextCursor } = listing;
  if (lastIndex >= messages.length - 1) return nextCursor;
  if (nextCursor.protocol === "imap") return { ...nextCursor, lastUid: Number(messages[lastIndex].id) };
  if (nextCursor.protocol === "pop3") {
    const later = new Set(messages.slice(lastIndex + 1).map((m) => m.id));
    return { protocol: "pop3", seenUidls: nextCursor.seenUidls.filter((uidl) => !later.has(uidl)) };
  }
  // A delta link or sync state covers the whole listing only; until then the ledger skips what is stored.
  return previous;
}

export function sourceKeyOf(cursor: SourceCursor, id: string): string {
  return cursor.protocol === "imap" ? `${cursor.uidValidity}:${id}` : id;
}
