import { afterAll, beforeAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

let runs: typeof import("./fetch-runs");
let database: typeof import("@/lib/db");

beforeAll(async () => {
  await useTestDatabase();
  database = await import("@/lib/db");
  runs = await import("./fetch-runs");
  for (let i = 0; i < 7; i++) {
    await runs.recordRun({
      mailboxId: null,
      kind: "sample",
      userId: "admin-1",
      startedAt: new Date(Date.UTC(2026, 11, 1, 10, i)),
      ok: true,
      steps: [],
    });
  }
});

afterAll(() => database.db().$disconnect());

it("lists runs newest first, a page at a time, each page starting before the last run of the one before", async () => {
  const minutes = (page: { startedAt: Date }[]) => page.map((r) => r.startedAt.getUTCMinutes());
  const first = await runs.listRuns({ take: 3 });
  expect(minutes(first)).toEqual([6, 5, 4]);
  const second = await runs.listRuns({ take: 3, before: first[2].startedAt });
  expect(minutes(second)).toEqual([3, 2, 1]);
  const last = await runs.listRuns({ take: 3, before: second[2].startedAt });
  expect(minutes(last)).toEqual([0]);
});
