// The extraction pool hands a busy worker stored mails ahead of its answers: bounded, answered in order, a mail
// moved to the worker handed over alone, and the mails ahead of one that kills or spins its worker parsed by the
// next worker instead of lost.
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { extractPoolFixture, HOSTILE_WORKER, plain } from "@/e2e/support/extract-pool-fixture";

const { pool, target, file: newFile } = extractPoolFixture(HOSTILE_WORKER);

describe("the extraction pool's mails handed ahead", () => {
  /** The mails written one after another into a batch file, and where each one is. */
  function storedBatch(mails: Buffer[]) {
    const file = newFile("mails");
    writeFileSync(file, Buffer.concat(mails));
    let offset = 0;
    return mails.map((raw) => {
      const stored = { file, offset, length: raw.length };
      offset += raw.length;
      return stored;
    });
  }

  /** Each stored mail's text, or why it failed, parsed by the pool. */
  async function outcomes(p: ReturnType<typeof pool>, mails: Buffer[]): Promise<string[]> {
    const results = await Promise.all(
      storedBatch(mails).map((stored, i) => p.parseStored(stored, mails[i].length, target())),
    );
    return results.map((r) => (r.ok ? r.text.toString() : r.why));
  }

  it("hands a busy worker stored mails ahead of its answers, up to its bound, and gets them answered in order", async () => {
    const p = pool({ aheadJobs: 3 });
    const mails = Array.from({ length: 7 }, (_, i) => plain(`ahead ${i}`, ["X-Test-Parser: slow"]));
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, p.held().posted)), 1);
    const answered: number[] = [];
    const all = Promise.allSettled(
      storedBatch(mails).map((stored, i) =>
        p.parseStored(stored, mails[i].length, target()).then((r) => {
          answered.push(i);
          return r;
        }),
      ),
    );
    const results = await all;
    clearInterval(watch);
    expect(most).toBe(3);
    expect(answered).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => r.status === "fulfilled" && r.value.ok && r.value.text.toString())).toEqual(
      mails.map((_, i) => `Hello,\nthis is ahead ${i}.\n`),
    );
  });

  it("hands a mail it moves to the worker over alone (it could not be handed over again)", async () => {
    const p = pool({ aheadJobs: 8 });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, p.held().posted)), 1);
    const results = await Promise.allSettled(
      [0, 1, 2].map((i) => p.parse(plain(`moved ${i}`, ["X-Test-Parser: slow"]), target())),
    );
    clearInterval(watch);
    expect(most).toBe(1);
    expect(results.every((r) => r.status === "fulfilled" && r.value.ok)).toBe(true);
  });

  it("answers a stored mail that kills its worker as failed; the mails handed ahead of it go to the next worker", async () => {
    const p = pool();
    const mails = [
      plain("first"),
      plain("crashing", ["X-Test-Parser: crash"]),
      plain("second"),
      plain("third"),
      plain("crashing again", ["X-Test-Parser: crash"]),
      plain("fourth"),
    ];
    expect(await outcomes(p, mails)).toEqual([
      "Hello,\nthis is first.\n",
      "the parser stopped on this message",
      "Hello,\nthis is second.\n",
      "Hello,\nthis is third.\n",
      "the parser stopped on this message",
      "Hello,\nthis is fourth.\n",
    ]);
  });

  it("answers a stored mail that spins as failed at the deadline; the mails handed ahead of it go to the next worker", async () => {
    const p = pool({ deadlineMs: 1_000 });
    const mails = [plain("before"), plain("spinning", ["X-Test-Parser: spin"]), plain("after"), plain("later")];
    expect(await outcomes(p, mails)).toEqual([
      "Hello,\nthis is before.\n",
      "parsing took longer than 1 s",
      "Hello,\nthis is after.\n",
      "Hello,\nthis is later.\n",
    ]);
  });
});
