// The fetch pipeline's order: the connection is held for a batch's fetch command only, so the next batch is
// already being fetched while this batch's file is still being written; commits still follow listing order. How
// far the fetch goes ahead is bounded by the raw bytes held, and a written mail's bytes are let go at once.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { IncomingSession, ListedMessage } from "@/lib/mail/incoming";

const events: string[] = [];
const writes: { release: () => void }[] = [];

vi.mock("./batch-files", () => ({
  // Each batch's file write waits until the test lets it finish.
  batchFileWriter: vi.fn(() => ({
    write: async (raws: Buffer[]) => {
      const first = raws[0].toString().match(/Subject: (\d+)/)![1];
      events.push(`write ${first}`);
      await new Promise<void>((release) => writes.push({ release }));
      return {
        stored: raws.map((raw, i) => ({ sha256: `h${first}-${i}`, relativePath: `f${first}`, size: raw.length })),
        durable: Promise.resolve(),
      };
    },
    close: async () => undefined,
  })),
}));

vi.mock("./raw-store", () => ({ streamRaw: vi.fn() }));

vi.mock("./commit-batch", () => ({
  commitBatch: vi.fn(async (_db: unknown, input: { mails: { sourceKey: string }[] }) => {
    if (input.mails.length > 0) events.push(`commit ${input.mails[0].sourceKey}`);
    return input.mails.map((m) => ({
      sourceKey: m.sourceKey,
      state: "request_created",
      requestId: "r",
      inserted: true,
    }));
  }),
  knownSourceKeys: vi.fn(async () => new Set<string>()),
  pendingAfterFetch: vi.fn(async () => []),
  markAfterFetchDone: vi.fn(),
}));

/** every raw buffer the session handed out */
const handed: Buffer[] = [];

/** A mail of `bytes` bytes (at least its header and a word of body). */
function rawMail(id: string, bytes: number): Buffer {
  const text = Buffer.from(`Subject: ${id}\r\n\r\nbody`);
  if (bytes <= text.length) return text;
  const raw = Buffer.alloc(bytes, 0x61);
  text.copy(raw);
  return raw;
}

function session(messages: ListedMessage[], fetchedBytes = 0): IncomingSession {
  return {
    listNew: async () => ({ messages, nextCursor: { protocol: "imap", uidValidity: "1", lastUid: messages.length } }),
    fetchBatch: async (batch: ListedMessage[], onMessage: (m: { id: string; raw: Buffer }) => void) => {
      events.push(`fetch ${batch[0].id}`);
      for (const m of batch) {
        const raw = rawMail(m.id, fetchedBytes);
        handed.push(raw);
        onMessage({ id: m.id, raw });
      }
    },
    applyAfterFetchBatch: async () => undefined,
  } as unknown as IncomingSession;
}

function run(messages: ListedMessage[], fetchedBytes = 0) {
  return import("./ingest-run").then(({ ingestMailbox }) =>
    ingestMailbox({
      db: {} as never,
      lease: { mailboxId: "m", owner: "o", epoch: 1 },
      session: session(messages, fetchedBytes),
      mailbox: {
        id: "m",
        cursor: JSON.stringify({ protocol: "imap", uidValidity: "1", lastUid: 0 }),
        baselineCursor: JSON.stringify({ protocol: "imap", uidValidity: "1", lastUid: 0 }),
        importSince: null,
        disableNewRequests: false,
        afterFetch: { action: "leave" },
      },
      batchSize: 2,
      signal: new AbortController().signal,
    }),
  );
}

beforeEach(async () => {
  events.length = 0;
  writes.length = 0;
  handed.length = 0;
  await import("./ingest-run");
});

describe("ingestMailbox's pipeline", () => {
  it("fetches ahead of the commits by bytes too: batches of large mails only one ahead", async () => {
    // 12 MB a batch: a second batch ahead would hold 24 MB of raw mail.
    const messages = Array.from({ length: 6 }, (_, i) => ({ id: String(i + 1), sizeAtMost: 6 * 1024 * 1024 }));
    const done = run(messages, 6 * 1024 * 1024);
    await vi.waitFor(() => expect(writes.length).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(["fetch 1", "write 1", "fetch 3", "write 3"]);
    writes[0].release();
    await vi.waitFor(() => expect(writes.length).toBe(3));
    expect(events.slice(4)).toEqual(["commit 1:1", "fetch 5", "write 5"]);
    writes[1].release();
    writes[2].release();
    expect((await done).stored).toBe(6);
    // Each mail's bytes were let go once its file was written, not left to a full garbage collection.
    expect(handed.map((raw) => raw.length)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("counts a fetched batch by its bytes, not by its listed bound, and a written batch not at all", async () => {
    // Listed at up to 12 MB a batch (as IMAP lists small mails), fetched at a few bytes each: three batches go
    // ahead of the first commit, which waits for the first file.
    const messages = Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), sizeAtMost: 6 * 1024 * 1024 }));
    const done = run(messages);
    await vi.waitFor(() => expect(writes.length).toBe(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(["fetch 1", "write 1", "fetch 3", "write 3", "fetch 5", "write 5", "fetch 7", "write 7"]);
    for (const write of writes) write.release();
    expect((await done).stored).toBe(8);
    expect(events.filter((e) => e.startsWith("commit"))).toEqual([
      "commit 1:1",
      "commit 1:3",
      "commit 1:5",
      "commit 1:7",
    ]);
  });

  it("fetches the next batch while the previous batch's file is still being written", async () => {
    const messages = Array.from({ length: 6 }, (_, i) => ({ id: String(i + 1), sizeAtMost: 100 }));
    const done = run(messages);
    await vi.waitFor(() => expect(writes.length).toBe(3));
    // All three fetches ran although no file write has finished yet.
    expect(events).toEqual(["fetch 1", "write 1", "fetch 3", "write 3", "fetch 5", "write 5"]);
    writes[2].release();
    writes[1].release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.filter((e) => e.startsWith("commit"))).toEqual([]);
    writes[0].release();
    const totals = await done;
    expect(totals.stored).toBe(6);
    expect(events.filter((e) => e.startsWith("commit"))).toEqual(["commit 1:1", "commit 1:3", "commit 1:5"]);
  });
});
