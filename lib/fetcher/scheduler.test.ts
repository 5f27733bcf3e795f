// The embedded scheduler against the rig: due mailboxes are fetched in parallel up to the concurrency bound; a
// server that never answers holds one slot only, a failing mailbox backs off (doubling, capped) and never
// delays the others.
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureFolder } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox } from "@/e2e/support/fetcher-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;

let fetcher: typeof import("./index");
let database: typeof import("@/lib/db");
const sockets = new Set<net.Socket>();
// accepts and never says a word (no IMAP greeting)
const silent = net.createServer((socket) => void sockets.add(socket));

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  process.env.MAILBRIDGE_FETCH_MAX_BACKOFF_MINUTES = "30";
  await useTestDatabase();
  fetcher = await import("./index");
  database = await import("@/lib/db");
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("backs off exponentially up to the cap", () => {
  expect([1, 2, 3, 4, 5].map((failures) => fetcher.backoffMinutes(5, failures))).toEqual([5, 10, 20, 30, 30]);
});

it(
  "fetches due mailboxes in parallel; a silent server and a failing login hold up no one else",
  { timeout: 90_000 },
  async () => {
    const good: { id: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const folder = uniqueName("Sched");
      await ensureFolder(rig, alice, folder);
      good.push(await createTestMailbox(rig, { folder }));
    }
    const hanging = await createTestMailbox(rig, {});
    await database.db().incomingMailbox.update({
      where: { id: hanging.id },
      data: { host: "127.0.0.1", port: (silent.address() as net.AddressInfo).port, protocol: "imaps" },
    });
    const failing = await createTestMailbox(rig, {});
    await database.db().incomingMailbox.update({ where: { id: failing.id }, data: { password: "wrong password" } });

    const scheduler = fetcher.startScheduler({ concurrency: 2, tickMs: 100 });
    try {
      const rows = await waitFor(
        () => database.db().incomingMailbox.findMany({ where: { id: { in: [...good.map((g) => g.id), failing.id] } } }),
        (list) => list.every((m) => m.lastFetchAt !== null || m.consecutiveFailures > 0),
      );
      // the silent server still holds its slot while everything else is done
      expect(scheduler.running.has(hanging.id)).toBe(true);
      const failed = rows.find((m) => m.id === failing.id)!;
      expect(failed).toMatchObject({ status: "failing", consecutiveFailures: 1 });
      expect(failed.lastError).toBeTruthy();
      expect(failed.nextFetchAt!.getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
      for (const m of rows.filter((r) => r.id !== failing.id))
        expect(m).toMatchObject({ status: "ok", leaseOwner: null });
      const runs = await database
        .db()
        .fetchRun.findMany({ where: { kind: "fetch", mailboxId: { in: good.map((g) => g.id) } } });
      expect(runs).toHaveLength(3);
    } finally {
      await scheduler.stop();
    }
    const afterStop = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: hanging.id } });
    expect(afterStop).toMatchObject({ status: "failing", leaseOwner: null });
  },
);
