// Replies from the console against the rig, run on SQLite and on PostgreSQL: the reply goes through the outbox
// and Postfix to the sink from the request's mailbox with the request tag, In-Reply-To/References and a
// Message-ID the loop guard knows; the customer's answer, saved into the mailbox, threads back onto the same
// request on the next fetch.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, mail } from "@/e2e/support/fetcher-fixtures";
import { rigSmtpsFormValues, sendQueuedOnce, uniqueSubject, waitForDelivered } from "@/e2e/support/outgoing-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice;

let requests: typeof import("@/lib/requests");
let fetcher: typeof import("@/lib/fetcher");
let outgoing: typeof import("@/lib/mail/outgoing");
let database: typeof import("@/lib/db");
let adminId: string;

/** The whole reply flow against the rig, on the given database. */
export function describeReplies(databaseKind: "sqlite" | "postgresql") {
  beforeAll(async () => {
    process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
    await useTestDatabase(databaseKind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    requests = await import("@/lib/requests");
    fetcher = await import("@/lib/fetcher");
    outgoing = await import("@/lib/mail/outgoing");
    database = await import("@/lib/db");
    adminId = (
      await database.db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })
    ).id;
  });

  async function run(id: string) {
    const outcome = await fetcher.fetchMailbox(id);
    if (outcome.status !== "ok") throw new Error(`fetch did not succeed: ${JSON.stringify(outcome)}`);
    return outcome.totals;
  }

  async function configureOutgoing() {
    const schema = await import("@/lib/mail/outgoing/client");
    await outgoing.saveOutgoing(
      schema.outgoingFormSchema.parse(
        rigSmtpsFormValues(rig, { senderName: "Rig Helpdesk", replyTo: "helpdesk@rig.test" }),
      ),
      adminId,
    );
  }

  async function openRequest(subject: string) {
    const folder = uniqueName("Replies");
    await ensureFolder(rig, alice.username, folder);
    const box = await createTestMailbox(rig, { folder });
    await run(box.id);
    const first = mail(subject);
    await deliver(rig, alice.username, first.raw, folder);
    expect(await run(box.id)).toMatchObject({ requests: 1 });
    const request = await database.db().request.findFirstOrThrow({ where: { mailboxId: box.id } });
    return { box, folder, request, first };
  }

  describe(`replies from the console (${databaseKind})`, () => {
    it("refuses clearly while no outgoing settings exist", async () => {
      const { request } = await openRequest(uniqueSubject("No settings"));
      await expect(
        requests.sendReply({ requestId: request.id, submissionId: randomUUID(), text: "Hello" }, adminId),
      ).rejects.toThrow("Configure the outgoing mail settings first.");
      expect(await database.db().outboxMessage.count()).toBe(0);
    });

    it("sends through the outbox to the sink, and the customer's answer threads back onto the request", async () => {
      await configureOutgoing();
      const subject = uniqueSubject("VPN broken");
      const { box, folder, request, first } = await openRequest(subject);
      const submissionId = randomUUID();
      const input = { requestId: request.id, submissionId, text: "Please restart the VPN client.\nRegards" };
      const { outboxId } = await requests.sendReply(input, adminId);
      expect((await requests.sendReply(input, adminId)).outboxId).toBe(outboxId);
      expect(await requests.listReplies(request.id)).toMatchObject([
        { id: outboxId, state: "queued", bodyText: input.text },
      ]);

      await sendQueuedOnce(outgoing, "replies-test");
      const [reply] = await requests.listReplies(request.id);
      expect(reply).toMatchObject({
        state: "sent",
        fromAddress: alice.username,
        toAddresses: JSON.stringify(["customer@example.org"]),
      });
      const expectedSubject = `Re: [#${request.number}] ${subject}`;
      const sent = await waitForDelivered(rig, (m) => m.subject === expectedSubject);
      expect(sent.envelope.to).toEqual(["customer@example.org"]);
      expect(sent.raw).toMatch(new RegExp(`^From: Rig Helpdesk <${alice.username}>`, "mi"));
      expect(sent.raw).toMatch(/^Reply-To: helpdesk@rig\.test/im);
      expect(sent.raw).toContain(`In-Reply-To: ${first.messageId}`);
      expect(sent.raw).toContain(`References: ${first.messageId}`);
      expect(sent.raw).toContain(`Message-ID: ${reply.messageId}`);
      expect(reply.messageId).toContain(requests.OWN_MESSAGE_ID_MARKER);

      // The customer answers (their client keeps the tag and the References) ...
      await deliver(
        rig,
        alice.username,
        mail(`Re: ${expectedSubject}`, { inReplyTo: reply.messageId, references: [first.messageId, reply.messageId] })
          .raw,
        folder,
      );
      // ... from a client that drops both the tag and the older References ...
      await deliver(rig, alice.username, mail("Re: your mail", { inReplyTo: reply.messageId }).raw, folder);
      // ... and a copy of our own reply lands in the mailbox (a loop): it must not become anything.
      await deliver(rig, alice.username, sent.raw, folder);
      expect(await run(box.id)).toMatchObject({ stored: 3, requests: 0 });
      const rows = await database
        .db()
        .ingestedMail.findMany({ where: { mailboxId: box.id }, orderBy: [{ fetchedAt: "asc" }, { id: "asc" }] });
      expect(rows.map((r) => [r.state, r.requestId])).toEqual([
        ["request_created", request.id],
        ["reply_added", request.id],
        ["reply_added", request.id],
        ["auto_reply", null],
      ]);
      expect(await database.db().request.count({ where: { mailboxId: box.id } })).toBe(1);

      // A second reply answers the thread's last message and carries the whole thread.
      await requests.sendReply({ requestId: request.id, submissionId: randomUUID(), text: "Second" }, adminId);
      const second = (await requests.listReplies(request.id)).at(-1)!;
      const stored = await database.db().outboxMessage.findUniqueOrThrow({ where: { id: second.id } });
      const references = JSON.parse(stored.references!) as string[];
      expect(references.slice(0, 2)).toEqual([first.messageId, reply.messageId]);
      expect(references).toHaveLength(4);
      expect(stored.inReplyTo).toBe(references.at(-1));
    });

    it("folds line breaks of a stranger's subject out of the reply's Subject", () => {
      expect(requests.replySubject("Printer\r\nBcc: victim@example.org", 7)).toBe(
        "Re: [#7] Printer Bcc: victim@example.org",
      );
      expect(requests.replySubject("Re: [#7] Printer", 7)).toBe("Re: [#7] Printer");
      expect(requests.replySubject("[#3] other", 7)).toBe("Re: [#7] [#3] other");
    });
  });
}
