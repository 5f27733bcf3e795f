// Raw MIME of many Graph messages over JSON batching (POST /$batch, at most 20 requests each). Graph answers
// every request on its own, in any order and with its own status: a non-JSON body (the MIME of a $value
// request) comes base64-encoded in the JSON. A throttled request (429, or 503/504) is sent again after its
// Retry-After, a bounded number of times and never past the caller's signal; any other error fails only its
// message.
import { setTimeout as sleep } from "node:timers/promises";
import { MessageTooLargeError, type ItemErrors } from "./batch-fallback";
import { HttpError } from "./https-client";
import type { BatchMessage, FetchBatchOptions, ListedMessage } from "./source";

/** Graph's limit of requests in one batch. */
export const GRAPH_BATCH_LIMIT = 20;
/** A throttled request is sent at most this many times more. */
const THROTTLE_RETRIES = 3;
/** Waits above this are cut to it: a run's deadline is minutes, not the hour Graph may ask for. */
const MAX_RETRY_AFTER_MS = 30_000;

export type GraphBatchRequest = { id: string; method: "GET"; url: string };
export type GraphBatchResponse = { id: string; status: number; headers?: Record<string, string>; body?: unknown };

/** A batch answer too large to hold: its messages are read one by one instead. */
export class BatchAnswerTooLargeError extends Error {}

export type GraphBatchTransport = {
  /** one POST of /$batch; resolves with its `responses` (BatchAnswerTooLargeError past the answer limit) */
  post(requests: GraphBatchRequest[]): Promise<GraphBatchResponse[]>;
  /** one message's MIME alone (streamed, bounded by maxBytes) */
  single(id: string, maxBytes?: number): Promise<Buffer>;
  /** the request URL of a message's MIME, relative to the version root (/users/{mailbox}/messages/{id}/$value) */
  mimeUrl(id: string): string;
};

const THROTTLED = new Set([429, 503, 504]);
const BASE64 = /^[A-Za-z0-9+/=\r\n]*$/;

function header(response: GraphBatchResponse, name: string): string | undefined {
  const entry = Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

function retryAfterMs(response: GraphBatchResponse): number {
  const seconds = Number(header(response, "retry-after"));
  return Math.min(Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000, MAX_RETRY_AFTER_MS);
}

function mimeOf(body: unknown): Buffer | null {
  if (typeof body !== "string") return null;
  return BASE64.test(body) ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
}

function itemError(response: GraphBatchResponse): HttpError {
  const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const detail = error ? `${error.code ?? ""}: ${error.message ?? ""}` : "";
  return new HttpError(
    `Microsoft Graph answered HTTP ${response.status} for the message`,
    response.status,
    `HTTP ${response.status} ${detail}`.trim(),
  );
}

/** One chunk of at most GRAPH_BATCH_LIMIT messages: every message read, failed, or throttled past its retries. */
async function fetchChunk(
  transport: GraphBatchTransport,
  chunk: ListedMessage[],
  opts: FetchBatchOptions,
): Promise<Map<string, Buffer | Error>> {
  const results = new Map<string, Buffer | Error>();
  let pending = chunk.map((message, index) => ({ request: String(index), id: message.id }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    opts.signal?.throwIfAborted();
    const byRequest = new Map(pending.map((p) => [p.request, p.id]));
    let responses: GraphBatchResponse[];
    try {
      responses = await transport.post(
        pending.map((p) => ({ id: p.request, method: "GET", url: transport.mimeUrl(p.id) })),
      );
    } catch (error) {
      // A listing without sizes (a delta link taken before they were asked for) may batch large messages: read
      // them one by one, each bounded on its own.
      if (!(error instanceof BatchAnswerTooLargeError)) throw error;
      for (const { id } of pending) {
        results.set(id, await transport.single(id, opts.maxBytes).catch((failure: unknown) => failure as Error));
      }
      return results;
    }
    const throttled: typeof pending = [];
    let wait = 0;
    for (const response of responses) {
      const id = byRequest.get(String(response.id));
      if (id === undefined || results.has(id)) continue;
      byRequest.delete(String(response.id));
      if (THROTTLED.has(response.status) && attempt < THROTTLE_RETRIES) {
        throttled.push({ request: String(response.id), id });
        wait = Math.max(wait, retryAfterMs(response));
        continue;
      }
      const raw = response.status < 300 ? mimeOf(response.body) : null;
      if (!raw) results.set(id, itemError(response));
      else if (opts.maxBytes !== undefined && raw.length > opts.maxBytes)
        results.set(id, new MessageTooLargeError(id, opts.maxBytes));
      else results.set(id, raw);
    }
    // A request the batch answered nothing for is an error of the service, not of the others.
    for (const [, id] of byRequest)
      results.set(id, new HttpError("Microsoft Graph left a request of the batch unanswered", 502, "no response"));
    pending = throttled;
    if (pending.length > 0) await sleep(wait, undefined, { signal: opts.signal });
  }
  return results;
}

export async function fetchGraphBatch(
  transport: GraphBatchTransport,
  messages: ListedMessage[],
  onMessage: (message: BatchMessage) => Promise<void> | void,
  errors: ItemErrors,
  opts: FetchBatchOptions = {},
): Promise<number> {
  let read = 0;
  for (let start = 0; start < messages.length; start += GRAPH_BATCH_LIMIT) {
    const chunk = messages.slice(start, start + GRAPH_BATCH_LIMIT);
    const results = await fetchChunk(transport, chunk, opts);
    // Handed over in listing order, whatever order Graph answered in.
    for (const { id } of chunk) {
      opts.signal?.throwIfAborted();
      const result = results.get(id)!;
      if (Buffer.isBuffer(result)) {
        read++;
        await onMessage({ id, raw: result });
        continue;
      }
      errors.add(id, result);
    }
  }
  return read;
}
