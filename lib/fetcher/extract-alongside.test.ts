// When extraction runs around a fetch: after a short fetch, alongside a long one once a mail has waited.
import { describe, expect, it } from "vitest";
import { extractAlongside } from "./extract-alongside";

/** An extraction double: `pending` mails, each pass takes up to its limit; every pass is recorded. */
function pendingMail(pending: number) {
  const passes: { limit: number; at: number }[] = [];
  const started = Date.now();
  let left = pending;
  return {
    passes,
    left: () => left,
    extract: async ({ limit }: { limit: number }) => {
      passes.push({ limit, at: Date.now() - started });
      const taken = Math.min(limit, left);
      left -= taken;
      return taken;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("extractAlongside", () => {
  it("waits while a short fetch runs, then drains in large passes", async () => {
    const mail = pendingMail(1_200);
    const extraction = extractAlongside({ mailboxId: "m", lagMs: 10_000, extract: mail.extract });
    extraction.committed();
    extraction.committed();
    await sleep(50);
    expect(mail.passes).toEqual([]);
    await extraction.finish(true);
    expect(mail.left()).toBe(0);
    expect(mail.passes.map((p) => p.limit)).toEqual([500, 500, 500, 500]);
  });

  it("extracts alongside a long fetch once a committed mail has waited the lag", async () => {
    const mail = pendingMail(150);
    const extraction = extractAlongside({ mailboxId: "m", lagMs: 40, extract: mail.extract });
    extraction.committed();
    await sleep(15);
    expect(mail.passes).toEqual([]);
    await sleep(80);
    // alongside: batch-sized passes while the fetch goes on, each commit nudging the next
    expect(mail.passes.map((p) => p.limit)).toEqual([100, 100, 100]);
    expect(mail.passes[0].at).toBeGreaterThanOrEqual(35);
    expect(mail.left()).toBe(0);
    extraction.committed();
    await sleep(10);
    expect(mail.passes).toHaveLength(4);
    // the last commit before the fetch ends: drained in a large pass
    extraction.committed();
    await extraction.finish(true);
    expect(mail.passes.map((p) => p.limit)).toEqual([100, 100, 100, 100, 500]);
  });

  it("mail pending from an earlier run is extracted when the fetch finds nothing new", async () => {
    const mail = pendingMail(30);
    const extraction = extractAlongside({ mailboxId: "m", extract: mail.extract });
    await extraction.finish(true);
    expect(mail.left()).toBe(0);
  });

  it("a stopped fetch leaves its mail pending", async () => {
    const mail = pendingMail(30);
    const extraction = extractAlongside({
      mailboxId: "m",
      lagMs: 10_000,
      extract: mail.extract,
    });
    extraction.committed();
    await extraction.finish(false);
    expect(mail.passes).toEqual([]);
    expect(mail.left()).toBe(30);
  });

  it("an aborted fetch extracts nothing more", async () => {
    const mail = pendingMail(30);
    const controller = new AbortController();
    const extraction = extractAlongside({
      mailboxId: "m",
      lagMs: 10_000,
      signal: controller.signal,
      extract: mail.extract,
    });
    extraction.committed();
    controller.abort();
    await extraction.finish(true);
    expect(mail.passes).toEqual([]);
  });
});
