// Cursors per protocol against the rig: a changed IMAP UIDVALIDITY re-lists the folder without duplicates;
// POP3's UIDL set; Graph's delta link and EWS's sync state, also when a fetch stops between two batches or a
// batch has a message the server refuses; imports since a date per protocol (also resumed after a stop);
// Graph's listed sizes.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver, ensureFolder, listMessages } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { EwsSource } from "@/lib/mail/incoming/ews-source";
import { GraphSource } from "@/lib/mail/incoming/graph-source";
import { StepRecorder } from "@/lib/mail/incoming/steps";
import { microsoftSettings, oauthFromRig, SCOPES, testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import type { IncomingSession } from "@/lib/mail/incoming";
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
    orderBy: [{ fetchedAt: "asc" }, { id: "asc" }],
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

type Kind = "graph" | "ews";

/** One fetch of the stored mailbox over a Graph/EWS session; `change` may alter the session first. */
async function ingestMicrosoft(
  kind: Kind,
  boxId: string,
  folder: string,
  opts: { batchSize?: number; change?: (session: IncomingSession, stop: AbortController) => void } = {},
) {
  const row = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: boxId } });
  const lease = (await internals.lease.claimLease(boxId))!;
  const auth = oauthFromRig(rig, { tokenUser: "alice", scope: kind === "graph" ? SCOPES.graph : SCOPES.ews });
  const settings = microsoftSettings(rig, kind, folder);
  const session = await (kind === "graph" ? new GraphSource(settings, auth) : new EwsSource(settings, auth)).connect({
    steps: new StepRecorder(),
  });
  const controller = new AbortController();
  opts.change?.(session, controller);
  try {
    await session.openFolder(folder);
    return await internals.ingest.ingestMailbox({
      db: internals.run.ingestDb(),
      lease,
      session,
      mailbox: { ...row, afterFetch: { action: "leave" } },
      batchSize: opts.batchSize ?? 10,
      signal: controller.signal,
    });
  } finally {
    await session.close();
    await internals.lease.releaseLease(lease);
  }
}

async function storedSubjects(mailboxId: string) {
  const rows = await database.db().ingestedMail.findMany({
    where: { mailboxId },
    select: { subject: true, imported: true },
  });
  return rows.map((r) => `${r.subject}${r.imported ? " (imported)" : ""}`).sort();
}

describe.each(["graph", "ews"] as const)("%s", (kind) => {
  it("follows the delta/sync cursor and finishes a fetch stopped between batches without duplicates", async () => {
    const folder = uniqueName(`${kind}-fetch`);
    await ensureFolder(rig, alice, folder);
    const box = await createTestMailbox(rig, { folder });
    const ingest = (opts: { stopAfterFirstBatch?: boolean } = {}) =>
      ingestMicrosoft(kind, box.id, folder, {
        batchSize: 2,
        change: (session, controller) => {
          if (!opts.stopAfterFirstBatch) return;
          const fetchBatch = session.fetchBatch.bind(session);
          session.fetchBatch = async (...args) => {
            await fetchBatch(...args);
            controller.abort(new Error("stopped"));
          };
        },
      });
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

  it("a batch with one refused message stores the others, reports the one, and fetches it next run", async () => {
    const folder = uniqueName(`${kind}-refused`);
    await ensureFolder(rig, alice, folder);
    const box = await createTestMailbox(rig, { folder });
    await ingestMicrosoft(kind, box.id, folder);
    for (const subject of ["r1", "r2", "r3", "r4"]) await deliver(rig, alice, mail(subject).raw, folder);

    // The third listed message is deleted on the server between listing and fetching: the server refuses it.
    let refusedId = "";
    await expect(
      ingestMicrosoft(kind, box.id, folder, {
        change: (session) => {
          const listNew = session.listNew.bind(session);
          session.listNew = async (cursor) => {
            const listing = await listNew(cursor);
            refusedId = listing.messages[2].id;
            await session.applyAfterFetch(refusedId, { action: "delete" });
            return listing;
          };
        },
      }),
    ).rejects.toThrow(/1 message\(s\) could not be fetched/);
    expect(refusedId).not.toBe("");
    const afterFailure = await storedSubjects(box.id);
    expect(afterFailure).toHaveLength(3);

    // The cursor stayed before the batch: the next run lists the stored three again (skipped) and a fresh copy.
    const missing = ["r1", "r2", "r3", "r4"].find((s) => !afterFailure.includes(s))!;
    await deliver(rig, alice, mail(missing).raw, folder);
    expect(await ingestMicrosoft(kind, box.id, folder)).toMatchObject({ stored: 1, skipped: 3 });
    expect(await storedSubjects(box.id)).toEqual(["r1", "r2", "r3", "r4"]);
    expect(await ingestMicrosoft(kind, box.id, folder)).toMatchObject({ listed: 0, stored: 0 });
  });

  it("imports mail received since the date, never older mail, and later mail as new", async () => {
    const folder = uniqueName(`${kind}-import`);
    for (const subject of ["before A", "before B"]) await deliver(rig, alice, mail(subject).raw, folder);
    // Received dates have whole seconds: the date is the next second, and the mail after it comes later.
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    await new Promise((resolve) => setTimeout(resolve, since.getTime() - Date.now() + 50));
    for (const subject of ["since C", "since D"]) await deliver(rig, alice, mail(subject).raw, folder);
    const box = await createTestMailbox(rig, { folder, importSince: since });

    expect(await ingestMicrosoft(kind, box.id, folder)).toMatchObject({ listed: 2, stored: 2 });
    expect(await storedSubjects(box.id)).toEqual(["since C (imported)", "since D (imported)"]);
    const row = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } });
    expect(JSON.parse(row.cursor!)).toMatchObject({ protocol: kind, since: expect.any(String) });
    expect(row).toMatchObject({ importTotal: 2, importDone: 2 });

    await deliver(rig, alice, mail("fresh E").raw, folder);
    expect(await ingestMicrosoft(kind, box.id, folder)).toMatchObject({ listed: 1, stored: 1 });
    expect(await ingestMicrosoft(kind, box.id, folder)).toMatchObject({ listed: 0 });
    expect(await storedSubjects(box.id)).toEqual(["fresh E", "since C (imported)", "since D (imported)"]);
  });
});

describe.each(["graph", "ews"] as const)("%s import interrupted", (kind) => {
  it("marks the rest of an import stopped between batches imported when resumed, later mail new", async () => {
    const folder = uniqueName(`${kind}-import-stop`);
    const old = ["i1", "i2", "i3", "i4", "i5"];
    for (const subject of old) await deliver(rig, alice, mail(subject).raw, folder);
    const box = await createTestMailbox(rig, { folder, importSince: new Date(Date.now() - 3_600_000) });
    const stopAfterFirstBatch = (session: IncomingSession, controller: AbortController) => {
      const fetchBatch = session.fetchBatch.bind(session);
      session.fetchBatch = async (...args) => {
        await fetchBatch(...args);
        controller.abort(new Error("stopped"));
      };
    };
    await expect(ingestMicrosoft(kind, box.id, folder, { batchSize: 2, change: stopAfterFirstBatch })).rejects.toThrow(
      "stopped",
    );
    expect(await storedSubjects(box.id)).toHaveLength(2);
    // The progress bar knows the whole import from its first listing on.
    expect(await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).toMatchObject({
      importTotal: 5,
      importDone: 2,
    });

    // Mail that arrives before the import resumes is new, not part of the import.
    await deliver(rig, alice, mail("after the baseline").raw, folder);
    expect(await ingestMicrosoft(kind, box.id, folder, { batchSize: 2 })).toMatchObject({ stored: 4, skipped: 2 });
    expect(await storedSubjects(box.id)).toEqual(["after the baseline", ...old.map((s) => `${s} (imported)`)]);
    expect(await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).toMatchObject({
      importTotal: 5,
      importDone: 5,
    });
  });
});

describe("graph sizes", () => {
  it("lists each message's size (PidTagMessageSize), so a large one is streamed to its own file", async () => {
    const folder = uniqueName("graph-sizes");
    await ensureFolder(rig, alice, folder);
    const box = await createTestMailbox(rig, { folder });
    await ingestMicrosoft("graph", box.id, folder);
    const body = `${"B".repeat(76)}\r\n`.repeat(Math.ceil((5 * 1024 * 1024) / 78));
    await deliver(rig, alice, mail("small one").raw, folder);
    await deliver(rig, alice, mail("large one", { contentType: "application/octet-stream", body }).raw, folder);
    let sizes: (number | undefined)[] = [];
    await ingestMicrosoft("graph", box.id, folder, {
      change: (session) => {
        const listNew = session.listNew.bind(session);
        session.listNew = async (cursor) => {
          const listing = await listNew(cursor);
          sizes = listing.messages.map((m) => m.size);
          return listing;
        };
      },
    });
    expect(sizes).toHaveLength(2);
    expect(sizes[0]).toBeLessThan(4096);
    expect(sizes[1]).toBeGreaterThan(5 * 1024 * 1024);
    const rows = await database.db().ingestedMail.findMany({
      where: { mailboxId: box.id },
      orderBy: { subject: "asc" },
      select: { subject: true, rawPath: true, rawSize: true },
    });
    expect(rows.map((r) => r.subject)).toEqual(["large one", "small one"]);
    // The large mail is a file of its own (streamed, never held whole); the small one is in a batch file.
    expect(rows[0].rawPath).toMatch(/\.eml$/);
    expect(rows[0].rawSize).toBeGreaterThan(5 * 1024 * 1024);
    expect(rows[1].rawPath).toMatch(/\.mails@\d+\+\d+$/);
  });
});

describe("POP3 import since a date", () => {
  it("decides by each message's header (TOP, nothing marked read): older mail stays, later mail is new", async () => {
    const since = new Date("2025-06-01T00:00:00Z");
    const old = new Date("2024-03-01T10:00:00Z");
    const recent = new Date("2025-09-01T10:00:00Z");
    const tag = uniqueName("pop-import");
    const subjects = {
      oldReceived: `${tag} old by Received`,
      oldDate: `${tag} old by Date`,
      newReceived: `${tag} new by Received, old Date`,
      newDate: `${tag} new by Date`,
    };
    await deliver(rig, alice, mail(subjects.oldReceived, { received: old, date: recent }).raw);
    await deliver(rig, alice, mail(subjects.oldDate, { date: old }).raw);
    await deliver(rig, alice, mail(subjects.newReceived, { received: recent, date: old }).raw);
    await deliver(rig, alice, mail(subjects.newDate, { date: recent }).raw);
    const box = await createTestMailbox(rig, { protocol: "pop", importSince: since });
    await run(box.id);
    const imported = async () =>
      (
        await database.db().ingestedMail.findMany({
          where: { mailboxId: box.id, subject: { startsWith: tag } },
          select: { subject: true, imported: true },
        })
      )
        .map((r) => `${r.subject}${r.imported ? " (imported)" : ""}`)
        .sort();
    expect(await imported()).toEqual([`${subjects.newDate} (imported)`, `${subjects.newReceived} (imported)`]);
    // The maildrop holds other tests' mail too: the total is what this import stored of it, not 0.
    const progress = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } });
    expect(progress.importDone).toBeGreaterThanOrEqual(2);
    expect(progress.importTotal).toBe(progress.importDone);
    const flags = new Map((await listMessages(rig, alice)).map((m) => [m.subject, m.flags]));
    expect(flags.get(subjects.oldReceived)).not.toContain("\\Seen");
    expect(flags.get(subjects.oldDate)).not.toContain("\\Seen");

    const fresh = `${tag} fresh`;
    await deliver(rig, alice, mail(fresh, { date: old }).raw);
    await run(box.id);
    await run(box.id);
    expect(await imported()).toEqual(
      [`${subjects.newDate} (imported)`, `${subjects.newReceived} (imported)`, fresh].sort(),
    );
  });
});
