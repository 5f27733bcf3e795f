// Bounds on showing a mail: only the first PREVIEW_MAX_BYTES of a message are read (the rest stays on the
// server, its size is still reported), and only PREVIEW_SLOTS previews hold a message at once; further
// callers wait up to a deadline, then are told the console is busy.
import type { Readable } from "node:stream";
import { MailStepError } from "./steps";

export const PREVIEW_MAX_BYTES = 4 * 1024 * 1024;
export const PREVIEW_SLOTS = 2;
export const PREVIEW_WAIT_MS = 20_000;

export type Captured = {
  raw: Buffer;
  truncated: boolean;
  /** the stream failed after `raw` arrived (the connection dropped, for one) */
  interrupted: Error | null;
};

/** Reads at most `maxBytes` of the stream, then stops reading it (the stream is destroyed). */
export async function captureStart(stream: Readable, maxBytes = PREVIEW_MAX_BYTES): Promise<Captured> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  let interrupted: Error | null = null;
  try {
    for await (const chunk of stream) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      if (bytes + data.length >= maxBytes) {
        // exactly at the limit counts as cut too: whether more would follow is not known without reading on
        truncated = true;
        chunks.push(data.subarray(0, maxBytes - bytes));
        bytes = maxBytes;
        break;
      }
      chunks.push(data);
      bytes += data.length;
    }
  } catch (error) {
    interrupted = error instanceof Error ? error : new Error(String(error));
  }
  if (!stream.destroyed) stream.destroy();
  return { raw: Buffer.concat(chunks, bytes), truncated: truncated || interrupted !== null, interrupted };
}

/** A counting semaphore whose waiters give up at a deadline. */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Resolves with a release function once a slot is free; rejects after `waitMs`. */
  acquire(waitMs: number): Promise<() => void> {
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        this.used++;
        resolve(this.releaser());
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(
          new MailStepError(
            "fetch",
            "The console is busy showing other sample mails; try again in a moment.",
            undefined,
            null,
            "PREVIEW_BUSY",
          ),
        );
      }, waitMs);
      this.waiting.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.waiting.shift()?.();
    };
  }
}

/** The one bound on previews held in memory by this process. */
export const previewSlots = new Slots(PREVIEW_SLOTS);
