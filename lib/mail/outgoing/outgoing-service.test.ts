// The outgoing settings, Send test mail and the outbox with real OAuth connections (token service, rig
// authorization server) and real servers (Postfix, the Exchange SMTP double): nothing stubbed between concerns.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { setSmtpAuthEnabled } from "@/e2e/rig/microsoft/control";
import { db } from "@/lib/db";
import { testRig } from "@/e2e/support/mail-fixtures";
import { uniqueSubject, waitForDelivered } from "@/e2e/support/outgoing-fixtures";

const rig = testRig();
let outgoing: typeof import("./index");
let schema: typeof import("./form-schema");
let admin: string;

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  outgoing = await import("./index");
  schema = await import("./form-schema");
  admin = (await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })).id;
});

/** Settings with a Microsoft ROPC grant for `user` (no consent popup needed), sending through `server`. */
function settings(user: "alice" | "bob", over: Record<string, unknown> = {}) {
  const client = rig.auth.clients.ropc;
  const account = rig.auth.users[user];
  return schema.outgoingFormSchema.parse({
    protocol: "smtp",
    host: rig.smtp.host,
    port: rig.smtp.submissionPort,
    enableTls: true,
    authType: "oauth",
    username: account.username,
    senderName: "Rig Helpdesk",
    replyTo: "helpdesk@rig.test",
    maxEmailSizeMb: 10,
    contactEmail: "",
    debug: true,
    oauth: {
      preset: "microsoft_ropc",
      grantType: "password",
      tenant: "contoso.onmicrosoft.com",
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      tokenUrl: rig.auth.tokenUrl,
      scope: "https://outlook.office.com/SMTP.Send offline_access",
      subject: account.username,
      password: account.password,
    },
    ...over,
  });
}

const outboxRow = (id: string) => db().outboxMessage.findUniqueOrThrow({ where: { id } });

describe("outgoing settings and Send test mail", () => {
  it("verifies with a real sign-in, sends a test mail through the outbox with its queue id, and stores the rotated refresh token", async () => {
    const saved = await outgoing.saveOutgoing(settings("alice"), admin);
    expect(saved.needsConsent).toBe(false);
    const check = await outgoing.verifyOutgoing(admin);
    expect(check, JSON.stringify(check)).toMatchObject({ ok: true });
    expect(check.steps.map((s) => s.name)).toEqual(["token", "resolve", "connect", "tls", "authenticate"]);
    expect((await outgoing.getOutgoingStatus())?.status).toBe("ok");

    const to = `test-${Date.now()}@example.org`;
    const sent = await outgoing.sendTestMail(to, admin);
    expect(sent, JSON.stringify(sent)).toMatchObject({ ok: true });
    expect(sent.queueId).toMatch(/^[A-Za-z0-9]{6,}$/);
    const delivered = await waitForDelivered(rig, (m) => m.envelope.to.includes(to));
    expect(delivered.raw).toMatch(/^From: Rig Helpdesk <alice@rig\.test>$/m);
    const row = await db().outboxMessage.findFirstOrThrow({ where: { kind: "test" }, orderBy: { createdAt: "desc" } });
    expect(row).toMatchObject({ state: "sent", queueId: sent.queueId, attempts: 1 });
    // the debug transcript of the test send is kept on Activity, without the token
    const run = await db().fetchRun.findUniqueOrThrow({ where: { id: sent.runId! } });
    expect(run.transcript).toContain("AUTH XOAUTH2 [redacted]");
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: saved.connectionId! } });
    expect(run.transcript).not.toContain(conn.accessToken!);

    // An expired access token is refreshed for the next send; the rotated refresh token is what is stored.
    expect(conn.refreshToken).toBeTruthy();
    await db().oAuthConnection.update({
      where: { id: conn.id },
      data: { accessTokenExpiresAt: new Date(Date.now() - 1000) },
    });
    const again = await outgoing.sendTestMail(to, admin);
    expect(again.ok).toBe(true);
    const after = await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(after.refreshToken).toBeTruthy();
    expect(after.refreshToken).not.toBe(conn.refreshToken);
    expect(after.accessToken).not.toBe(conn.accessToken);
  });

  it("a wrong port fails at the connect step with its hint and marks the transport failing", async () => {
    await outgoing.saveOutgoing(settings("alice", { port: 1 }), admin);
    const check = await outgoing.verifyOutgoing(admin);
    expect(check).toMatchObject({ ok: false, failedStep: "connect", hint: { code: "net.refused" } });
    expect((await outgoing.getOutgoingStatus())?.status).toBe("failing");
  });

  it("a grant that is gone marks the transport reconnect needed, before any connection", async () => {
    const saved = await outgoing.saveOutgoing(settings("alice"), admin);
    // The stored ROPC password no longer works and no token is left: the token service must sign in again.
    await db().oAuthConnection.update({
      where: { id: saved.connectionId! },
      data: { password: "wrong-password", accessToken: null, accessTokenExpiresAt: null, refreshToken: null },
    });
    const check = await outgoing.verifyOutgoing(admin);
    expect(check).toMatchObject({ ok: false, failedStep: "token" });
    expect(check.steps.map((s) => s.name)).toEqual(["token"]);
    expect((await outgoing.getOutgoingStatus())?.status).toBe("reconnect_needed");
  });

  it("refuses CR/LF in Sender Name and Reply-To at the form", () => {
    const parsed = schema.outgoingFormSchema.safeParse({
      ...settings("alice"),
      senderName: "Desk\r\nBcc: x@example.org",
      replyTo: "a@b.c\nx",
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path[0]).sort()).toEqual(["replyTo", "senderName"]);
  });
});

describe("the outbox", () => {
  it("sends a reply once per idempotency key, with In-Reply-To and References", async () => {
    await outgoing.saveOutgoing(settings("alice"), admin);
    const subject = uniqueSubject("[#42] reply");
    const input = {
      kind: "reply" as const,
      idempotencyKey: `reply:${subject}`,
      to: ["customer@example.org"],
      subject,
      text: "Thanks, we are on it.",
      inReplyTo: "<question-1@example.org>",
      references: ["<question-0@example.org>", "<question-1@example.org>"],
    };
    const first = await outgoing.enqueueMail(input);
    const second = await outgoing.enqueueMail(input);
    expect(second).toEqual({ id: first.id, created: false });
    const worker = outgoing.startOutboxWorker({ pollMs: 60_000 });
    try {
      await worker.tick();
    } finally {
      await worker.stop();
    }
    const row = await outboxRow(first.id);
    expect(row, row.lastError ?? "").toMatchObject({ state: "sent", attempts: 1 });
    expect(row.queueId).toBeTruthy();
    const sent = await waitForDelivered(rig, (m) => m.subject === subject);
    expect(sent.raw).toMatch(/^In-Reply-To: <question-1@example\.org>$/m);
    expect(sent.raw).toMatch(/^References: <question-0@example\.org> <question-1@example\.org>$/m);
    expect(await readSinkCount(subject)).toBe(1);
  });

  it("Exchange refusing the sign-in: retried with backoff, banner status and hint, one notice to the contact through the alternate server", async () => {
    const contact = `contact-${Date.now()}@example.org`;
    // Primary: Exchange Online's SMTP (SMTP AUTH switched off for bob → 535 5.7.139); alternate: Postfix.
    await outgoing.saveOutgoing(
      settings("bob", {
        host: rig.exchange.host,
        port: rig.exchange.smtpPort,
        alternateHost: `localhost:${rig.smtp.submissionPort}`,
        contactEmail: contact,
      }),
      admin,
    );
    await setSmtpAuthEnabled(rig, rig.mailboxes.bob, false);
    const worker = outgoing.startOutboxWorker({ pollMs: 60_000 });
    try {
      const subjects = [uniqueSubject("held 1"), uniqueSubject("held 2")];
      const ids: string[] = [];
      for (const subject of subjects)
        ids.push(
          (
            await outgoing.enqueueMail({
              kind: "notice",
              idempotencyKey: subject,
              to: ["customer@example.org"],
              subject,
              text: "x",
            })
          ).id,
        );
      await worker.tick();
      for (const id of ids) {
        const row = await outboxRow(id);
        expect(row.state).toBe("queued");
        expect(row.attempts).toBe(1);
        expect(row.lastError).toMatch(/535 5\.7\.139/);
        expect(JSON.parse(row.hint!).code).toBe("smtp.5.7.139");
        expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
      }
      const status = await outgoing.getOutgoingStatus();
      expect(status).toMatchObject({ status: "failing" });
      expect(status?.incidentSince).toBeTruthy();
      // The notice was queued once, sent through the alternate (Postfix) on the next pass.
      await worker.tick();
      const notices = await db().outboxMessage.findMany({ where: { kind: "failure_notice" } });
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ state: "sent", server: `localhost:${rig.smtp.submissionPort}` });
      const notice = await waitForDelivered(rig, (m) => m.envelope.to.includes(contact));
      expect(notice.raw).toContain("5.7.139");

      // Fixed: Retry sends it now and the incident ends.
      await setSmtpAuthEnabled(rig, rig.mailboxes.bob, true);
      await outgoing.retryOutboxMessage(ids[0]);
      await outgoing.cancelOutboxMessage(ids[1]);
      await worker.tick();
      expect((await outboxRow(ids[0])).state).toBe("sent");
      expect((await outboxRow(ids[1])).state).toBe("cancelled");
      expect(await outgoing.getOutgoingStatus()).toMatchObject({ status: "ok", incidentSince: null });
      await waitForDelivered(rig, (m) => m.subject === subjects[0]);
    } finally {
      await setSmtpAuthEnabled(rig, rig.mailboxes.bob, true);
      await worker.stop();
    }
  });

  it("forgets sent messages after 30 days, keeps newer ones and failed ones", async () => {
    const old = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    const ids: string[] = [];
    for (const subject of ["old sent", "new sent", "old failed"].map(uniqueSubject)) {
      ids.push(
        (
          await outgoing.enqueueMail({
            kind: "notice",
            idempotencyKey: subject,
            to: ["c@example.org"],
            subject,
            text: "x",
          })
        ).id,
      );
    }
    await db().outboxMessage.update({ where: { id: ids[0] }, data: { state: "sent", sentAt: old } });
    await db().outboxMessage.update({ where: { id: ids[1] }, data: { state: "sent", sentAt: new Date() } });
    await db().outboxMessage.update({ where: { id: ids[2] }, data: { state: "failed", createdAt: old } });
    const { pruneFinished } = await import("./outbox-recovery");
    expect(await pruneFinished()).toBe(1);
    expect(await db().outboxMessage.count({ where: { id: { in: ids } } })).toBe(2);
  });

  it("a message over Max Email Size fails at once, before any connection", async () => {
    await outgoing.saveOutgoing(settings("alice", { maxEmailSizeMb: 1 }), admin);
    const queued = await outgoing.enqueueMail({
      kind: "notice",
      idempotencyKey: uniqueSubject("big"),
      to: ["customer@example.org"],
      subject: "big",
      text: "x".repeat(1_200_000),
    });
    const worker = outgoing.startOutboxWorker({ pollMs: 60_000 });
    await worker.tick();
    await worker.stop();
    const row = await outboxRow(queued.id);
    expect(row.state).toBe("failed");
    expect(JSON.parse(row.hint!).code).toBe("outgoing.too_large");
  });
});

async function readSinkCount(subject: string): Promise<number> {
  const { readSink } = await import("@/e2e/rig/mailbox");
  return (await readSink(rig)).filter((m) => m.subject === subject).length;
}
