// Memory bounds of the preview: a large mail is read only up to the cap (bytes pulled from the source are
// counted), and concurrent previews hold at most PREVIEW_SLOTS messages at once; extra callers wait, and
// past the deadline they are told the console is busy.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { captureStart, PREVIEW_MAX_BYTES, PREVIEW_SLOTS, Slots } from "./preview-capture";
import { sampleFetch } from "./sample-fetch";
import type { IncomingSession, IncomingSource, SourceSettings } from "./source";
import { StepRecorder } from "./steps";

const MAIL_SIZE = 20 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** A 20 MiB mail produced on demand; counts what the reader pulled and how many streams are open at once. */
class BigMailSource implements IncomingSource {
  readonly settings = { folder: "INBOX" } as SourceSettings;
  pulled = 0;
  open = 0;
  maxOpen = 0;

  stream(): Readable {
    const header = Buffer.from("From: a@example.org\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n");
    let sent = 0;
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    let closed = false;
    const done = () => {
      if (!closed) this.open--;
      closed = true;
    };
    const stream: Readable = new Readable({
      read: () => {
        // a little later, so that concurrent callers overlap
        setTimeout(() => {
          if (sent >= MAIL_SIZE) return void stream.push(null);
          const chunk = sent === 0 ? header : Buffer.alloc(CHUNK, 0x61);
          sent += chunk.length;
          this.pulled += chunk.length;
          stream.push(chunk);
        }, 1);
      },
      destroy: (error, callback) => {
        done();
        callback(error);
      },
    });
    return stream.on("end", done);
  }

  async connect({ steps }: { steps: StepRecorder }): Promise<IncomingSession> {
    steps.record("connect", true, 0);
    return {
      openFolder: async () => undefined,
      listNew: async () => ({ messages: [], nextCursor: { protocol: "pop3", seenUidls: [] } }),
      oldest: async () => ({ id: "1", size: MAIL_SIZE }),
      fetchRaw: async () => this.stream(),
      fetchBatch: async () => undefined,
      baseline: async () => null,
      applyAfterFetch: async () => undefined,
      applyAfterFetchBatch: async () => undefined,
      close: async () => undefined,
    };
  }
}

describe("preview memory bounds", () => {
  it("reads a 20 MiB mail only up to the cap and still reports its size", async () => {
    const source = new BigMailSource();
    const result = await sampleFetch(source);
    expect(result.ok).toBe(true);
    if (!result.ok || !result.mail) return;
    expect(source.pulled).toBeLessThanOrEqual(PREVIEW_MAX_BYTES + 2 * CHUNK);
    expect(result.mail.bytesRead).toBe(PREVIEW_MAX_BYTES);
    expect(result.mail.size).toBe(MAIL_SIZE);
    expect(result.mail.notices[0]).toMatch(/20\.0 MiB; the preview reads only its first 4\.0 MiB/);
    expect(source.open).toBe(0);
  });

  it("six concurrent previews of a 20 MiB mail hold at most PREVIEW_SLOTS messages and read at most the cap each", async () => {
    const source = new BigMailSource();
    const results = await Promise.all(Array.from({ length: 6 }, () => sampleFetch(source)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(source.maxOpen).toBe(PREVIEW_SLOTS);
    expect(source.pulled).toBeLessThanOrEqual(6 * (PREVIEW_MAX_BYTES + 2 * CHUNK));
  }, 60_000);

  it("captureStart stops at the limit and destroys the stream", async () => {
    const source = new BigMailSource();
    const stream = source.stream();
    const captured = await captureStart(stream, 1024 * 1024);
    expect(captured.raw.length).toBe(1024 * 1024);
    expect(captured.truncated).toBe(true);
    expect(stream.destroyed).toBe(true);
  });

  it("a caller that waits past the deadline is told the console is busy", async () => {
    const slots = new Slots(1);
    const release = await slots.acquire(10);
    await expect(slots.acquire(20)).rejects.toThrow(/busy showing other sample mails; try again/);
    release();
    const again = await slots.acquire(20);
    expect(slots.inUse).toBe(1);
    again();
    expect(slots.inUse).toBe(0);
  });
});

describe("a message stream that fails part-way", () => {
  function failingAfter(bytes: Buffer): Readable {
    let sent = false;
    const stream: Readable = new Readable({
      read: () => {
        if (!sent) {
          sent = true;
          stream.push(bytes);
        } else
          setImmediate(() =>
            stream.destroy(Object.assign(new Error("Connection not available"), { code: "NoConnection" })),
          );
      },
    });
    return stream;
  }

  it("keeps what arrived and says the connection ended, with the library's words labelled", async () => {
    const start = Buffer.from(
      "From: a@example.org\r\nSubject: dropped\r\nContent-Type: text/plain\r\n\r\nfirst lines\r\n",
    );
    const source = new BigMailSource();
    const session = await source.connect({ steps: new StepRecorder() });
    session.fetchRaw = async () => failingAfter(start);
    source.connect = async () => session;
    const result = await sampleFetch(source);
    if (!result.ok || !result.mail) throw new Error(result.ok ? "no mail" : result.error);
    expect(result.mail.subject).toBe("dropped");
    expect(result.mail.text).toContain("first lines");
    expect(result.mail.notices[0]).toBe(
      `The connection ended after ${start.length} bytes of the message had arrived; what arrived is shown (the mail library said: Connection not available).`,
    );
  });

  it("nothing arrived: the fetch step fails in plain words, the library's words as the reply", async () => {
    const source = new BigMailSource();
    const session = await source.connect({ steps: new StepRecorder() });
    session.fetchRaw = async () => failingAfter(Buffer.alloc(0));
    source.connect = async () => session;
    const result = await sampleFetch(source);
    expect(result).toMatchObject({
      ok: false,
      failedStep: "fetch",
      error: "The connection ended before any of the message arrived.",
      raw: "Connection not available",
    });
  });
});
