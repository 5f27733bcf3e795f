// Run in a child process by the preview memory test: six concurrent sample fetches of a 20 MiB mail through
// the real preview path (capture, parse), served by an in-memory source. Prints the peak and final RSS growth.
import { Readable } from "node:stream";
import { sampleFetch } from "@/lib/mail/incoming/sample-fetch";
import type { IncomingSession, IncomingSource, SourceSettings } from "@/lib/mail/incoming/source";

const MAIL_SIZE = 20 * 1024 * 1024;
const LINE = Buffer.from(`${"x".repeat(998)}\r\n`);

function bigMail(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === 0) {
        sent += 1;
        this.push("From: a@example.org\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n");
        return;
      }
      if (sent >= MAIL_SIZE) return void this.push(null);
      const chunk = Buffer.concat(Array.from({ length: 64 }, () => LINE));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

const source: IncomingSource = {
  settings: { folder: "INBOX" } as SourceSettings,
  async connect(): Promise<IncomingSession> {
    return {
      openFolder: async () => undefined,
      listNew: async () => ({ messages: [], nextCursor: { protocol: "pop3", seenUidls: [] } }),
      oldest: async () => ({ id: "1", size: MAIL_SIZE }),
      fetchRaw: async () => bigMail(),
      fetchBatch: async () => undefined,
      baseline: async () => null,
      applyAfterFetch: async () => undefined,
      applyAfterFetchBatch: async () => undefined,
      close: async () => undefined,
    };
  },
};

async function main() {
  const mib = (bytes: number) => Math.round(bytes / (1024 * 1024));
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const results = await Promise.all(Array.from({ length: 6 }, () => sampleFetch(source)));
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  global.gc?.();
  const after = process.memoryUsage().rss;
  console.log(
    JSON.stringify({
      ok: results.every((r) => r.ok),
      peakGrowthMiB: mib(peak - before),
      finalGrowthMiB: mib(after - before),
    }),
  );
}

void main();
