// SMTP submission against the rig's Postfix (STARTTLS on submission, implicit TLS on SMTPS, XOAUTH2 checked by
// token introspection, password through Dovecot): what reaches the sink, failover, and the failing step.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRig } from "@/e2e/support/mail-fixtures";
import { attempt } from "./attempt";
import { composeMessage } from "./compose";
import { createTransports, type TransportSettings } from "./create-transport";
import {
  OUTLOOK_SMTP,
  rigOAuth,
  uniqueSubject,
  type TokenLog,
  waitForDelivered,
} from "@/e2e/support/outgoing-fixtures";

const rig = testRig();
const alice = rig.mailboxes.alice;

function settings(over: Partial<TransportSettings> = {}): TransportSettings {
  return {
    protocol: "smtp",
    host: rig.smtp.host,
    port: rig.smtp.submissionPort,
    enableTls: true,
    mailbox: alice,
    ca: rig.ca,
    timeoutMs: 5_000,
    ...over,
  };
}

const message = (subject: string) =>
  composeMessage({
    fromAddress: alice,
    senderName: "Rig Support Desk",
    replyTo: "helpdesk@rig.test",
    to: ["customer@example.org"],
    subject,
    text: "hello from the outbox",
  });

describe("SMTP through Postfix", () => {
  for (const [label, over] of [
    ["STARTTLS on submission", { protocol: "smtp", port: rig.smtp.submissionPort }],
    ["implicit TLS on SMTPS", { protocol: "smtps", port: rig.smtp.smtpsPort }],
  ] as const) {
    it(`${label} with XOAUTH2 reaches the sink with From, Sender Name and Reply-To, and names the queue id`, async () => {
      const subject = uniqueSubject(label);
      const result = await attempt(
        createTransports(settings(over), rigOAuth(rig, { tokenUser: "alice", scope: OUTLOOK_SMTP })),
        await message(subject),
        { debug: true },
      );
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
      if (!result.ok) return;
      expect(result.outcome?.queueId).toMatch(/^[A-Za-z0-9]{6,}$/);
      expect(result.steps.map((s) => s.name)).toEqual(["token", "resolve", "connect", "tls", "authenticate", "send"]);
      const sent = await waitForDelivered(rig, (m) => m.subject === subject);
      expect(sent.envelope.from).toBe(alice);
      expect(sent.raw).toMatch(/^From: Rig Support Desk <alice@rig\.test>$/m);
      expect(sent.raw).toMatch(/^Reply-To: helpdesk@rig\.test$/m);
      // The debug transcript keeps the dialogue, never the token.
      expect(result.transcript).toContain("AUTH XOAUTH2 [redacted]");
      expect(result.transcript).toMatch(/queued as/);
    });
  }

  it("signs in with a password", async () => {
    const subject = uniqueSubject("password");
    const user = rig.auth.users.alice;
    const result = await attempt(
      createTransports(settings(), { type: "password", user: user.username, password: user.password }),
      await message(subject),
      { debug: true },
    );
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    await waitForDelivered(rig, (m) => m.subject === subject);
    expect(result.transcript).not.toContain(Buffer.from(user.password).toString("base64"));
    expect(result.transcript).not.toContain(user.password);
  });

  it("fails over from a dead primary to the alternate and says which one sent", async () => {
    const subject = uniqueSubject("failover");
    // 127.0.0.2 is loopback too, but nothing listens there on Postfix's port.
    const result = await attempt(
      createTransports(
        settings({ host: "127.0.0.2", alternateHost: rig.smtp.host }),
        rigOAuth(rig, { tokenUser: "alice", scope: OUTLOOK_SMTP }),
      ),
      await message(subject),
    );
    expect(result, JSON.stringify(result)).toMatchObject({
      ok: true,
      server: `${rig.smtp.host}:${rig.smtp.submissionPort}`,
    });
    expect(result.skipped).toMatchObject([
      { server: `127.0.0.2:${rig.smtp.submissionPort}`, step: "connect", hint: { code: "net.refused" } },
    ]);
    await waitForDelivered(rig, (m) => m.subject === subject);
  });

  it("does not fail over on a refused sign-in, and says why", async () => {
    const log: TokenLog = { tokens: [] };
    const forged = {
      type: "oauth" as const,
      user: alice,
      getToken: async () => ({ accessToken: "forged.token.value" }),
    };
    const result = await attempt(
      createTransports(settings({ alternateHost: "127.0.0.2" }), forged),
      await message(uniqueSubject("no failover")),
    );
    expect(log.tokens).toEqual([]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({
      step: "authenticate",
      failover: false,
      server: `${rig.smtp.host}:${rig.smtp.submissionPort}`,
    });
    expect(result.failure.raw).toMatch(/^535 /);
    expect(result.skipped).toEqual([]);
    expect(result.failure.alternateNotTried).toMatch(
      /alternate server 127\.0\.0\.2:\d+ was not tried: .* refused at the "authenticate" step/,
    );
    expect(result.steps.filter((s) => s.name === "connect")).toHaveLength(1);
  });

  it("with Enable TLS off, Postfix's 530 5.7.0 Must issue a STARTTLS command first gets its hint", async () => {
    const user = rig.auth.users.alice;
    const result = await attempt(
      createTransports(settings({ enableTls: false }), {
        type: "password",
        user: user.username,
        password: user.password,
      }),
      await message(uniqueSubject("plain")),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.step).toBe("authenticate");
    expect(result.failure.hint?.code).toBe("smtp.starttls_first");
  });

  it("refuses a message over Max Email Size before any connection or token", async () => {
    const log: TokenLog = { tokens: [] };
    const big = await composeMessage({
      fromAddress: alice,
      to: ["customer@example.org"],
      subject: "big",
      text: "x".repeat(300_000),
    });
    const result = await attempt(
      createTransports(
        settings({ host: "127.0.0.2" }),
        rigOAuth(rig, { tokenUser: "alice", scope: OUTLOOK_SMTP }, log),
      ),
      big,
      { maxBytes: 100_000 },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({ step: "prepare", hint: { code: "outgoing.too_large" } });
    expect(result.steps.map((s) => s.name)).toEqual(["prepare"]);
    expect(log.tokens).toEqual([]);
  });

  it("names the TLS step for an untrusted certificate and the connect step for a wrong port", async () => {
    const auth = rigOAuth(rig, { tokenUser: "alice", scope: OUTLOOK_SMTP });
    const untrusted = await attempt(
      createTransports(settings({ protocol: "smtps", port: rig.smtp.smtpsPort, ca: undefined }), auth),
      null,
    );
    expect(untrusted.ok).toBe(false);
    if (!untrusted.ok) expect(untrusted.failure).toMatchObject({ step: "tls", hint: { code: "tls.self_signed" } });
    const starttlsUntrusted = await attempt(createTransports(settings({ ca: undefined }), auth), null);
    if (!starttlsUntrusted.ok)
      expect(starttlsUntrusted.failure, JSON.stringify(starttlsUntrusted.failure)).toMatchObject({
        step: "tls",
        hint: { code: "tls.self_signed" },
      });
    expect(starttlsUntrusted.ok).toBe(false);
    const wrongMode = await attempt(
      createTransports(settings({ protocol: "smtps", port: rig.smtp.submissionPort }), auth),
      null,
    );
    expect(wrongMode.ok).toBe(false);
    if (!wrongMode.ok) expect(wrongMode.failure.step).toBe("tls");
  });
});

describe("a server that accepts and never greets", () => {
  let silent: net.Server;
  beforeAll(async () => {
    silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  it("times out with the timeout hint", async () => {
    const port = (silent.address() as net.AddressInfo).port;
    const result = await attempt(
      createTransports(settings({ host: "127.0.0.1", port, timeoutMs: 600 }), {
        type: "password",
        user: "u",
        password: "p",
      }),
      null,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure).toMatchObject({ step: "connect", hint: { code: "net.timeout" } });
  });
});
