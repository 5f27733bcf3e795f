// Batch operations for protocols without a multi-message command: one message after the other over the open
// session, with the same bounds as a real batch.
import type { Readable } from "node:stream";
import type { AfterFetch, BatchMessage, FetchBatchOptions, IncomingSession, ListedMessage } from "./source";

export class MessageTooLargeError extends Error {
  constructor(
    readonly id: string,
    readonly limit: number,
  ) {
    super(`message ${id} is larger than ${limit} bytes`);
    this.name = "MessageTooLargeError";
  }
}

/** Reads a stream into memory, refusing past `maxBytes` (the stream is destroyed, not drained). */
export async function readBounded(stream: Readable, id: string, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buffer.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new MessageTooLargeError(id, maxBytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

export async function fetchOneByOne(
  session: Pick<IncomingSession, "fetchRaw">,
  messages: ListedMessage[],
  onMessage: (message: BatchMessage) => Promise<void> | void,
  opts: FetchBatchOptions = {},
): Promise<void> {
  for (const message of messages) {
    opts.signal?.throwIfAborted();
    if (opts.maxBytes !== undefined && (message.size ?? 0) > opts.maxBytes) throw new MessageTooLargeError(message.id, opts.maxBytes);
    const raw = await readBounded(await session.fetchRaw(message.id), message.id, opts.maxBytes);
    await onMessage({ id: message.id, raw });
  }
}

export async function applyOneByOne(session: Pick<IncomingSession, "applyAfterFetch">, ids: string[], action: AfterFetch): Promise<void> {
  if (action.action === "leave") return;
  for (const id of ids) await session.applyAfterFetch(id, action);
}
