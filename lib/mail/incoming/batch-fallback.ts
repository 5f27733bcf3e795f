// Batch operations for protocols without a multi-message command: one message after the other over the open
// session, with the same bounds as a real batch.
import type { Readable } from "node:stream";
import { HttpError } from "./https-client";
import type { StepRecorder } from "./steps";
import type {
  AfterFetch,
  BatchMessage,
  FetchBatchOptions,
  IncomingSession,
  ListedMessage,
  ListNewResult,
  SourceCursor,
} from "./source";

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

/**
 * The failed messages of a batch: each is recorded as a failed "fetch" step and handed to the caller's
 * handler; without a handler the first one is thrown once the others are handed over.
 */
export class ItemErrors {
  private first: Error | null = null;
  failed = 0;

  constructor(
    private readonly steps: StepRecorder,
    private readonly opts: FetchBatchOptions,
  ) {}

  add(id: string, error: Error): void {
    this.failed++;
    const detail = error instanceof HttpError ? error.response : error.message;
    this.steps.record("fetch", false, 0, `message ${id.slice(0, 16)}…: ${detail}`);
    if (this.opts.onItemError) this.opts.onItemError(id, error);
    else this.first ??= error;
  }

  throwIfAny(): void {
    if (this.first) throw this.first;
  }
}

export async function fetchOneByOne(
  session: Pick<IncomingSession, "fetchRaw">,
  messages: ListedMessage[],
  onMessage: (message: BatchMessage) => Promise<void> | void,
  opts: FetchBatchOptions = {},
): Promise<void> {
  for (const message of messages) {
    opts.signal?.throwIfAborted();
    if (opts.maxBytes !== undefined && (message.size ?? 0) > opts.maxBytes)
      throw new MessageTooLargeError(message.id, opts.maxBytes);
    const raw = await readBounded(await session.fetchRaw(message.id), message.id, opts.maxBytes);
    await onMessage({ id: message.id, raw });
  }
}

export async function applyOneByOne(
  session: Pick<IncomingSession, "applyAfterFetch">,
  ids: string[],
  action: AfterFetch,
): Promise<void> {
  if (action.action === "leave") return;
  for (const id of ids) await session.applyAfterFetch(id, action);
}

/**
 * The batch operations of a session whose protocol has no multi-message command; Graph and EWS replace the
 * fetch and the date baseline with their own and keep the after-fetch action one by one.
 */
export abstract class OneByOneSession {
  abstract listNew(cursor: SourceCursor | null): Promise<ListNewResult>;
  abstract fetchRaw(id: string): Promise<Readable>;
  abstract applyAfterFetch(id: string, action: AfterFetch): Promise<void>;

  fetchBatch(
    messages: ListedMessage[],
    onMessage: (message: BatchMessage) => Promise<void> | void,
    opts?: FetchBatchOptions,
  ): Promise<void> {
    return fetchOneByOne(this, messages, onMessage, opts);
  }

  /** Without a date search, "since a date" lists everything (null), and "now" is a full listing's cursor. */
  async baseline(opts: { since?: Date } = {}): Promise<SourceCursor | null> {
    return opts.since ? null : (await this.listNew(null)).nextCursor;
  }

  applyAfterFetchBatch(ids: string[], action: AfterFetch): Promise<void> {
    return applyOneByOne(this, ids, action);
  }
}
