// kill -9 of the fetching process at many points of a 200-mail fetch (between raw write and commit, inside
// the transaction, after the commit and before the after-fetch action, after the action and before it is
// recorded, mid-extraction, right after the first connection's baseline), restarted each time: exactly 200
// requests, no duplicates, and \Seen set on exactly the stored mail — never on mail that is not stored.
import { fork } from "node:child_process";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { deliver, ensureFolder, listMessages } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;
const MAILS = 200;

let database: typeof import("@/lib/db");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  database = await import("@/lib/db");
});

type ChildResult = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

function runChild(mailboxId: string, crashAt?: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = fork(path.resolve("e2e/support/fetcher-child.ts"), [mailboxId], {
      execArgv: ["--import", "tsx", "--conditions=react-server"],
      env: {
        ...process.env,
        MAILBRIDGE_FETCH_BATCH_SIZE: "7",
        MAILBRIDGE_FETCH_LEASE_SECONDS: "1",
        MAILBRIDGE_LOG_LEVEL: "error",
        ...(crashAt ? { MAILBRIDGE_TEST_CRASH_AT: crashAt } : {}),
      },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
  });
}

async function check(mailboxId: string, folder: string) {
  const rows = await database
    .db()
    .ingestedMail.findMany({ where: { mailboxId }, select: { subject: true, state: true, afterFetchDone: true } });
  const stored = rows.map((r) => r.subject);
  expect(new Set(stored).size).toBe(stored.length);
  const seen = (await listMessages(rig, alice, folder)).filter((m) => m.flags.includes("\\Seen")).map((m) => m.subject);
  const storedSet = new Set(stored);
  expect(seen.filter((subject) => !storedSet.has(subject))).toEqual([]);
  return { rows, seen };
}

const INGEST_PLANS = [
  "after-raw-write:10",
  "mid-transaction:12",
  "before-commit:2",
  "after-commit:2",
  "after-after-fetch:2",
  "after-raw-write:20",
  "mid-transaction:3",
  "before-commit:3",
  "after-commit:1",
  "after-after-fetch:1",
  "after-raw-write:5",
  "mid-transaction:25",
  "before-commit:1",
  "after-commit:3",
  "after-after-fetch:3",
  "mid-transaction:1",
  "after-raw-write:1",
  "mid-insert:2",
  "mid-insert:1",
];
const EXTRACTION_PLANS = ["mid-extraction:3", "mid-extraction:40", "mid-extraction:1", "mid-extraction:90"];

it(
  "gives exactly one request per mail and \\Seen on exactly the stored mail after kill -9 at 20+ points",
  { timeout: 420_000 },
  async () => {
    const folder = uniqueName("Crash");
    await ensureFolder(rig, alice, folder);
    await deliver(rig, alice, mail("already there").raw, folder);
    const box = await createTestMailbox(rig, { folder, afterFetch: "mark_read" });

    const first = await runChild(box.id, "after-cursor-baseline:1");
    expect(first.signal).toBe("SIGKILL");
    for (let i = 1; i <= MAILS; i++) await deliver(rig, alice, mail(`mail ${String(i).padStart(3, "0")}`).raw, folder);

    let kills = 1;
    for (const plan of [...INGEST_PLANS, ...EXTRACTION_PLANS]) {
      const result = await runChild(box.id, plan);
      if (result.signal === "SIGKILL") kills++;
      else expect(result.code, `${plan}: ${result.signal ?? ""} ${result.stderr}`).toBe(0);
      await check(box.id, folder);
    }
    const last = await runChild(box.id);
    expect(last.code, `${last.signal ?? ""} ${last.stderr}`).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(20);

    const { rows, seen } = await check(box.id, folder);
    expect(rows).toHaveLength(MAILS);
    expect(rows.every((r) => r.state === "request_created" && r.afterFetchDone)).toBe(true);
    expect(await database.db().request.count({ where: { mailboxId: box.id } })).toBe(MAILS);
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.subject)));
    expect(seen).not.toContain("already there");
    expect(
      await database.db().ingestedMail.count({ where: { mailboxId: box.id, extractState: { not: "done" } } }),
    ).toBe(0);
  },
);
