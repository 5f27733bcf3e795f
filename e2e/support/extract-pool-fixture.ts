// What the extraction pool's tests share: pools closed after each test, a temporary folder for the groups'
// attachment files, and a plain-text mail.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach } from "vitest";
import { ExtractPool, type AttachmentTarget, type PoolOptions } from "@/lib/fetcher/extract-pool";

export const REAL_WORKER = path.resolve("lib/fetcher/extract-worker.mjs");
export const HOSTILE_WORKER = path.resolve("e2e/support/hostile-extract-worker.mjs");

/** Registers the file's hooks; `pool()` starts a pool (one worker, `workerFile` unless given) closed after the test. */
export function extractPoolFixture(workerFile: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "extract-pool-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pools: ExtractPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  let groups = 0;
  return {
    /** a new file name in the folder */
    file: (suffix: string) => path.join(dir, `file-${++groups}.${suffix}`),
    pool(options: Partial<PoolOptions> = {}): ExtractPool {
      const p = new ExtractPool({ workerFile, size: 1, deadlineMs: 30_000, ...options });
      pools.push(p);
      return p;
    },
    target(): AttachmentTarget {
      const base = path.join("attachments", `group-${++groups}`);
      return { relativeBase: base, absoluteBase: path.join(dir, base) };
    },
  };
}

export function plain(
  subject: string,
  extraHeaders: string[] = [],
  body = `Hello,\r\nthis is ${subject}.\r\n`,
): Buffer {
  return Buffer.from(
    [
      "From: Customer <customer@example.org>",
      "To: support@rig.test",
      `Subject: ${subject}`,
      ...extraHeaders,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      body,
    ].join("\r\n"),
  );
}
