// Cursors per protocol against the rig: a changed IMAP UIDVALIDITY re-lists the folder without duplicates;
// POP3's UIDL set; Graph's delta link and EWS's sync state, also when a fetch stops between two batches.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { EwsSource } from "@/lib/mail/incoming/ews-source";
import { GraphSource } from "@/lib/mail/incoming/graph-source";
import { StepRecorder } from "@/lib/mail/incoming/steps";
import { oauthFromRig, SCOPES, testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;

let fetcher: typeof import("./index");
let internals: {
  ingest: typeof import("./ingest-run");
  lease: typeof import("./lease");
  run: typeof import("./fetch-mailbox");
};
let database: typeof import("@/lib/db");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  fetcher = await import("./index");
  internals = {
    ingest: await import("./ingest-run"),
    lease: await import("./lease"),
    run: await import("./fetch-mailbox"),
  };
  database = await import("@/lib/db");
});

async function run(id: string) {
  const outcome = await fetcher.fetchMailbox(id);
  if (outcome.status !== "ok") throw new Error(`fetch did not succeed: ${JSON.stringify(outcome)}`);
  return outcome.totals;
}

async function states(mailboxId: string, subjects?: string[]) {
  const rows = await database.db().ingestedMail.findMany({
    where: { mailboxId },
    orderBy: { fetchedAt: "asc" },
    select: { subject: true, state: true },
  });
  return rows.filter((r) => !subjects || subjects.includes(r.subject)).map((r) => `${r.subject}:${r.state}`);
}

describe("IMAP", () => {
  it("re-lists the folder after a UIDVALIDITY change without a duplicate request", async () => {
    const folder = uniqueName("Uidvalidity");
    await ensureFolder(rig, alice, folder);
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    await deliver(rig, alice, mail("before the change").raw, folder);
    await run(box.id);
    await promisify(execFile)("doveadm", [
      "-c",
      rig.dovecotConf,
      "mailbox",
      "update",
      "-u",
      alice,
      "--uid-validity",
      String(Math.floor(Date.now() / 1000) + 12345),
      folder,
    ]);
    await deliver(rig, alice, mail("after the change").raw, folder);
    const totals = await run(box.id);
    expect(totals).toMatchObject({ listed: 2, stored: 2, requests: 1 });
    expect(await states(box.id)).toEqual([
      "before the change:request_created",
      "before the change:duplicate",
      "after the change:request_created",
    ]);
    expect(await database.db().request.count({ where: { mailboxId: box.id } })).toBe(2);
  });
});

describe("POP3", () => {
  it.each(["pop", "pops"] as const)("%s: stores each new maildrop message once, by UIDL", async (protocol) => {
    const box = await createTestMailbox(rig, { protocol });
    await run(box.id);
    const mine = [uniqueName(`pop-${protocol}-a`), uniqueName(`pop-${protocol}-b`)];
    for (const subject of mine) await deliver(rig, alice, mail(subject).raw);
    await run(box.id);
    await run(box.id);
    expect(await states(box.id, mine)).toEqual(mine.map((s) => `${s}:request_created`));
    const cursor = JSON.parse(
      (await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).cursor!,
    );
    expect(cursor.protocol).toBe("pop3");
  });
});

describe.each(["graph", "ews"] as const)("%s", (kind) => {
  it("follows the delta/sync cursor and finishes a fetch stopped between batches without duplicates", async () => {
    const folder = uniqueName(`${kind}-fetch`);
    await ensureFolder(rig, alice, folder);
    const box = await createTestMailbox(rig, { folder });
    const settings = {
      protocol: kind,
      startTls: false,
      host: "",
      port: 443,
      connectUrl: kind === "graph" ? rig.graph.baseUrl : rig.ews.url,
      mailbox: alice,
      folder,
      ca: rig.ca,
      timeoutMs: 10_000,
    };
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: kind === "graph" ? SCOPES.graph : SCOPES.ews });
    const ingest = async (opts: { stopAfterFirstBatch?: boolean } = {}) => {
      const row = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } });
      const lease = (await internals.lease.claimLease(box.id))!;
      const session = await (
        kind === "graph" ? new GraphSource(settings, auth) : new EwsSource(settings, auth)
      ).connect({ steps: new StepRecorder() });
      const controller = new AbortController();
      if (opts.stopAfterFirstBatch) {
        const fetchBatch = session.fetchBatch.bind(session);
        session.fetchBatch = async (...args) => {
          await fetchBatch(...args);
          controller.abort(new Error("stopped"));
        };
      }
      try {
        await session.openFolder(folder);
        return await internals.ingest.ingestMailbox({
          db: internals.run.ingestDb(),
          lease,
          session,
          mailbox: { ...row, afterFetch: { action: "leave" } },
          batchSize: 2,
          signal: controller.signal,
        });
      } finally {
        await session.close();
        await internals.lease.releaseLease(lease);
      }
    };
    await deliver(rig, alice, mail("old").raw, folder);
    await ingest();
    const subjects = ["one", "two", "three", "four", "five"];
    for (const s of subjects) await deliver(rig, alice, mail(s).raw, folder);
    await expect(ingest({ stopAfterFirstBatch: true })).rejects.toThrow("stopped");
    expect(await states(box.id)).toHaveLength(2);
    expect(await ingest()).toMatchObject({ stored: 3, skipped: 2 });
    expect(await ingest()).toMatchObject({ listed: 0, stored: 0 });
    expect((await states(box.id)).sort()).toEqual(subjects.map((s) => `${s}:request_created`).sort());
  });
});
