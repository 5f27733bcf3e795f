// The fetcher against the rig's Dovecot: mail saved with doveadm becomes a request on the next run, only mail
// from the first connection on (unless an import date is set), replies thread, automatic mail and disabled
// request creation create none, after-fetch actions follow the commit, huge and garbage mail never block.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver, ensureFolder, listMessages } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testMail, testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;

let fetcher: typeof import("./index");
let database: typeof import("@/lib/db");
let requests: typeof import("@/lib/requests");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  fetcher = await import("./index");
  database = await import("@/lib/db");
  requests = await import("@/lib/requests");
});

async function run(id: string) {
  const outcome = await fetcher.fetchMailbox(id);
  if (outcome.status !== "ok") throw new Error(`fetch did not succeed: ${JSON.stringify(outcome)}`);
  return outcome.totals;
}

async function ingested(mailboxId: string) {
  return database.db().ingestedMail.findMany({
    where: { mailboxId },
    orderBy: [{ fetchedAt: "asc" }, { id: "asc" }],
    include: { request: true },
  });
}

async function newFolder(prefix: string) {
  const folder = uniqueName(prefix);
  await ensureFolder(rig, alice, folder);
  return folder;
}

describe("fetching into requests", () => {
  it("imports nothing old on the first connection; a mail saved later becomes a request on the next run", async () => {
    const folder = await newFolder("Fetch-first");
    await deliver(rig, alice, mail("old one").raw, folder);
    await deliver(rig, alice, mail("old two").raw, folder);
    const box = await createTestMailbox(rig, { folder });
    expect((await run(box.id)).stored).toBe(0);
    expect(await ingested(box.id)).toEqual([]);

    await deliver(rig, alice, mail("Printer on fire").raw, folder);
    const totals = await run(box.id);
    expect(totals).toMatchObject({ stored: 1, requests: 1 });
    const [row] = await ingested(box.id);
    expect(row).toMatchObject({
      state: "request_created",
      subject: "Printer on fire",
      fromAddress: "customer@example.org",
      imported: false,
      extractState: "done",
    });
    expect(row.request?.subject).toBe("Printer on fire");
    expect(row.bodyText).toContain("this is Printer on fire");
    expect((await run(box.id)).stored).toBe(0);
    const stored = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } });
    expect(stored).toMatchObject({ status: "ok", mailsFetched: 1, leaseOwner: null });
    expect(stored.nextFetchAt!.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
  });

  it("imports existing mail since a date when asked, marked as imported", async () => {
    const folder = await newFolder("Fetch-import");
    for (const subject of ["archived A", "archived B", "archived C"])
      await deliver(rig, alice, mail(subject).raw, folder);
    const box = await createTestMailbox(rig, { folder, importSince: new Date(Date.now() - 86_400_000) });
    expect(await run(box.id)).toMatchObject({ stored: 3, requests: 3 });
    expect((await ingested(box.id)).map((r) => [r.subject, r.imported])).toEqual([
      ["archived A", true],
      ["archived B", true],
      ["archived C", true],
    ]);
    expect(await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).toMatchObject({
      importTotal: 3,
      importDone: 3,
    });
    await deliver(rig, alice, mail("fresh").raw, folder);
    await run(box.id);
    expect((await ingested(box.id)).at(-1)).toMatchObject({ subject: "fresh", imported: false });
  });

  it("threads replies by In-Reply-To, References and the subject tag, never by Re: alone", async () => {
    const folder = await newFolder("Fetch-thread");
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    const first = mail("VPN broken");
    await deliver(rig, alice, first.raw, folder);
    await run(box.id);
    const [original] = await ingested(box.id);
    const number = original.request!.number;

    const byInReplyTo = mail("Re: VPN broken", { inReplyTo: first.messageId });
    await deliver(rig, alice, byInReplyTo.raw, folder);
    await deliver(
      rig,
      alice,
      mail("Re: VPN broken", { references: ["<unknown@else.where>", byInReplyTo.messageId] }).raw,
      folder,
    );
    await deliver(rig, alice, mail(`Update [#${number}] more details`).raw, folder);
    await deliver(rig, alice, mail("Re: VPN broken").raw, folder);
    expect(await run(box.id)).toMatchObject({ stored: 4, replies: 3, requests: 1 });
    const rows = await ingested(box.id);
    expect(rows.map((r) => r.state)).toEqual([
      "request_created",
      "reply_added",
      "reply_added",
      "reply_added",
      "request_created",
    ]);
    expect(rows.slice(1, 4).every((r) => r.requestId === original.requestId)).toBe(true);
    expect(rows[4].requestId).not.toBe(original.requestId);
    const request = await database
      .db()
      .request.findUniqueOrThrow({ where: { id: original.requestId! }, include: { ingested: true } });
    expect(request.messageCount).toBe(4);
    expect(request.ingested).toHaveLength(4);
  });

  it("keeps auto-replies, bounces and loops visible without creating requests", async () => {
    const folder = await newFolder("Fetch-auto");
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    const automatic = [
      mail("Out of office", { headers: { "Auto-Submitted": "auto-replied" } }),
      mail("Newsletter", { headers: { Precedence: "bulk" } }),
      mail("Exchange auto reply", { headers: { "X-Auto-Response-Suppress": "All" } }),
      mail("Undelivered Mail Returned to Sender", {
        from: "MAILER-DAEMON@mx.example.org",
        contentType: 'multipart/report; report-type=delivery-status; boundary="x"',
        body: "--x\r\n\r\nbounce\r\n--x--\r\n",
      }),
      mail("Our own mail", { messageId: `<${randomBytes(4).toString("hex")}.mailbridge@support.example>` }),
      mail("Report", {
        contentType: 'multipart/report; report-type=disposition-notification; boundary="y"',
        body: "--y\r\n\r\nread\r\n--y--\r\n",
      }),
    ];
    for (const m of automatic) await deliver(rig, alice, m.raw, folder);
    await deliver(rig, alice, mail("A person writes", { headers: { "Auto-Submitted": "no" } }).raw, folder);
    expect(await run(box.id)).toMatchObject({ stored: 7, requests: 1 });
    const rows = await ingested(box.id);
    expect(rows.map((r) => r.state)).toEqual([...automatic.map(() => "auto_reply"), "request_created"]);
    expect(rows[0].reason).toBe("Auto-Submitted: auto-replied");
    expect(rows[3].reason).toBe("sent by mailer-daemon@mx.example.org");
  });

  it("keeps mail as 'not turned into a request' when new request creation is disabled, and still threads replies", async () => {
    const folder = await newFolder("Fetch-disabled");
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    const first = mail("Existing thread");
    await deliver(rig, alice, first.raw, folder);
    await run(box.id);
    await database.db().incomingMailbox.update({ where: { id: box.id }, data: { disableNewRequests: true } });
    await deliver(rig, alice, mail("Brand new").raw, folder);
    await deliver(rig, alice, mail("Re: Existing thread", { inReplyTo: first.messageId }).raw, folder);
    expect(await run(box.id)).toMatchObject({ stored: 2, requests: 0, replies: 1 });
    const rows = await ingested(box.id);
    expect(rows.slice(1).map((r) => [r.subject, r.state])).toEqual([
      ["Brand new", "not_a_request"],
      ["Re: Existing thread", "reply_added"],
    ]);
  });

  it("marks read exactly the mail it stored, after storing it", async () => {
    const folder = await newFolder("Fetch-read");
    await deliver(rig, alice, mail("before").raw, folder);
    const box = await createTestMailbox(rig, { folder, afterFetch: "mark_read" });
    await run(box.id);
    for (const s of ["one", "two", "three"]) await deliver(rig, alice, mail(s).raw, folder);
    expect(await run(box.id)).toMatchObject({ stored: 3, afterFetch: 3 });
    const flags = Object.fromEntries(
      (await listMessages(rig, alice, folder)).map((m) => [m.subject, m.flags.includes("\\Seen")]),
    );
    expect(flags).toEqual({ before: false, one: true, two: true, three: true });
    expect((await ingested(box.id)).every((r) => r.afterFetchDone)).toBe(true);
  });

  it("stores a 20 MiB mail and a garbage mail in the middle of a batch without stopping the rest", async () => {
    const folder = await newFolder("Fetch-hostile");
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    const big = mail("Big scan", {
      contentType: "application/octet-stream",
      body: `${"A".repeat(76)}\r\n`.repeat(Math.ceil((20 * 1024 * 1024) / 78)),
    });
    await deliver(rig, alice, mail("before the storm").raw, folder);
    await deliver(rig, alice, randomBytes(4096).toString("latin1").replace(/\r?\n/g, " ") + "\r\n", folder);
    await deliver(rig, alice, big.raw, folder);
    await deliver(rig, alice, mail("after the storm").raw, folder);
    expect((await run(box.id)).stored).toBe(4);
    const rows = await ingested(box.id);
    expect(rows.map((r) => r.state)).toEqual(["request_created", "flagged", "request_created", "request_created"]);
    expect(rows[2].rawSize).toBeGreaterThan(20 * 1024 * 1024);
    expect(rows[1].reason).toMatch(/header/);
    expect(rows.map((r) => r.subject)).toEqual(["before the storm", "", "Big scan", "after the storm"]);
  });

  it("stores attachments with name, type and size, offered only as downloads with safe names", async () => {
    const folder = await newFolder("Fetch-attach");
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    await deliver(
      rig,
      alice,
      testMail("With a file", { attachment: { name: '../..\u202eevil".txt', content: "<script>alert(1)</script>" } }),
      folder,
    );
    await run(box.id);
    const [row] = await database
      .db()
      .ingestedMail.findMany({ where: { mailboxId: box.id }, include: { attachments: true } });
    expect(row.attachments).toHaveLength(1);
    const [file] = row.attachments;
    expect(file).toMatchObject({ contentType: "text/plain", size: 25 });
    expect(file.filename).not.toMatch(/[\\/"\u202e]/);
    const response = await requests.attachmentResponse(file.id);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="[^"\\/]+"; filename\*=UTF-8''/);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toBe("<script>alert(1)</script>");
  });
});
