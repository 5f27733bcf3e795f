// Sending through the rig's Microsoft doubles: Exchange Online's SMTP AUTH replies with their hints, Graph
// sendMail and EWS CreateItem SendAndSaveCopy (own and shared mailbox: the copy lands in that mailbox's Sent Items).
import { describe, expect, it } from "vitest";
import { listMessages } from "@/e2e/rig/mailbox";
import { setSmtpAuthEnabled } from "@/e2e/rig/microsoft/control";
import { appOnlyFromRig, testRig } from "@/e2e/support/mail-fixtures";
import { attempt } from "./attempt";
import { composeMessage } from "./compose";
import { createTransports, type TransportSettings } from "./create-transport";
import {
  EWS_SCOPE,
  GRAPH_SEND,
  OUTLOOK_SMTP,
  rigOAuth,
  uniqueSubject,
  waitForDelivered,
} from "@/e2e/support/outgoing-fixtures";
import type { OutgoingAuth } from "./transport";

const rig = testRig();
const { alice, bob, shared } = rig.mailboxes;

const exchangeSmtp = (over: Partial<TransportSettings> = {}): TransportSettings => ({
  protocol: "smtp",
  host: rig.exchange.host,
  port: rig.exchange.smtpPort,
  enableTls: true,
  mailbox: alice,
  ca: rig.ca,
  timeoutMs: 5_000,
  ...over,
});

const mail = (from: string, subject: string) =>
  composeMessage({ fromAddress: from, senderName: "Helpdesk", to: ["customer@example.org"], subject, text: "hello" });

async function failureOf(settings: TransportSettings, auth: OutgoingAuth, from: string) {
  const result = await attempt(createTransports(settings, auth), await mail(from, uniqueSubject("refused")));
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) throw new Error("sent");
  return result.failure;
}

describe("Exchange Online SMTP double", () => {
  it("sends with an Outlook token and names Exchange's queue id", async () => {
    const subject = uniqueSubject("exchange");
    const result = await attempt(
      createTransports(exchangeSmtp(), rigOAuth(rig, { tokenUser: "alice", scope: OUTLOOK_SMTP })),
      await mail(alice, subject),
    );
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    if (result.ok) expect(result.outcome?.queueId).toMatch(/^<.+>$/);
    await waitForDelivered(rig, (m) => m.subject === subject);
  });

  it("535 5.7.3 for a token for another resource", async () => {
    const failure = await failureOf(exchangeSmtp(), rigOAuth(rig, { tokenUser: "alice", scope: GRAPH_SEND }), alice);
    expect(failure).toMatchObject({ step: "authenticate", hint: { code: "smtp.5.7.3" }, failover: false });
    expect(failure.raw).toMatch(/^535 5\.7\.3 Authentication unsuccessful/);
  });

  it("535 5.7.139 while Authenticated SMTP is off for the mailbox", async () => {
    await setSmtpAuthEnabled(rig, bob, false);
    try {
      const failure = await failureOf(
        exchangeSmtp({ mailbox: bob }),
        rigOAuth(rig, { tokenUser: "bob", scope: OUTLOOK_SMTP }),
        bob,
      );
      expect(failure).toMatchObject({ step: "authenticate", hint: { code: "smtp.5.7.139" } });
    } finally {
      await setSmtpAuthEnabled(rig, bob, true);
    }
  });

  it("554 5.2.252 SendAsDenied when the token's user may not send as the address", async () => {
    const failure = await failureOf(
      exchangeSmtp({ mailbox: bob }),
      rigOAuth(rig, { tokenUser: "bob", scope: OUTLOOK_SMTP }),
      shared,
    );
    expect(failure).toMatchObject({ step: "send", hint: { code: "smtp.5.2.252" } });
    expect(failure.raw).toMatch(/554 5\.2\.252/);
  });
});

describe("Microsoft Graph sendMail", () => {
  const graph = (mailbox: string): TransportSettings => ({
    protocol: "graph",
    host: "",
    port: 443,
    connectUrl: rig.graph.baseUrl,
    enableTls: true,
    mailbox,
    ca: rig.ca,
    timeoutMs: 5_000,
  });

  it("sends as the signed-in mailbox and as a shared mailbox, each copy in its own Sent Items", async () => {
    for (const [mailbox, tokenUser] of [
      [alice, "alice"],
      [shared, "alice"],
    ] as const) {
      const subject = uniqueSubject(`graph ${mailbox}`);
      const result = await attempt(
        createTransports(graph(mailbox), rigOAuth(rig, { tokenUser, scope: GRAPH_SEND })),
        await mail(mailbox, subject),
      );
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
      if (result.ok) expect(result.outcome?.response).toMatch(/^HTTP 202/);
      const sent = await waitForDelivered(rig, (m) => m.subject === subject);
      expect(sent.envelope.from).toBe(mailbox);
      expect((await listMessages(rig, mailbox, "Sent")).map((m) => m.subject)).toContain(subject);
    }
  });

  it("verifies with an authenticated call, and refuses an Outlook token with a hint", async () => {
    const ok = await attempt(
      createTransports(graph(alice), rigOAuth(rig, { tokenUser: "alice", scope: GRAPH_SEND })),
      null,
    );
    expect(ok, JSON.stringify(ok)).toMatchObject({ ok: true });
    const refused = await attempt(
      createTransports(graph(alice), rigOAuth(rig, { tokenUser: "alice", scope: OUTLOOK_SMTP })),
      null,
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.failure.step).toBe("authenticate");
    // A valid token that may not read the mailbox (403) is authenticated: only sending proves the permission.
    const noRead = await attempt(
      createTransports(graph(shared), rigOAuth(rig, { tokenUser: "bob", scope: GRAPH_SEND })),
      null,
    );
    expect(noRead, JSON.stringify(noRead)).toMatchObject({ ok: true });
    expect(noRead.steps.find((s) => s.name === "authenticate")?.detail).toMatch(/may not read the mailbox/);
    const denied = await attempt(
      createTransports(graph(shared), rigOAuth(rig, { tokenUser: "bob", scope: GRAPH_SEND })),
      await mail(shared, uniqueSubject("graph denied")),
    );
    expect(denied.ok).toBe(false);
  });
});

describe("EWS CreateItem SendAndSaveCopy", () => {
  const ews = (mailbox: string, impersonate = false): TransportSettings => ({
    protocol: "ews",
    host: "",
    port: 443,
    connectUrl: rig.ews.url,
    enableTls: true,
    mailbox,
    impersonate,
    ca: rig.ca,
    timeoutMs: 5_000,
  });

  it("sends for the own mailbox, a shared mailbox (delegate) and through app-only impersonation", async () => {
    const cases: [string, OutgoingAuth, boolean][] = [
      [alice, rigOAuth(rig, { tokenUser: "alice", scope: EWS_SCOPE }), false],
      [shared, rigOAuth(rig, { tokenUser: "alice", scope: EWS_SCOPE }), false],
      [
        bob,
        appOnlyFromRig(rig, { mailbox: bob, scope: "https://outlook.office365.com/.default" }) as OutgoingAuth,
        true,
      ],
    ];
    for (const [mailbox, auth, impersonate] of cases) {
      const subject = uniqueSubject(`ews ${mailbox}`);
      const verified = await attempt(createTransports(ews(mailbox, impersonate), auth), null);
      expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
      const result = await attempt(createTransports(ews(mailbox, impersonate), auth), await mail(mailbox, subject));
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
      const sent = await waitForDelivered(rig, (m) => m.subject === subject);
      expect(sent.envelope.from).toBe(mailbox);
      expect((await listMessages(rig, mailbox, "Sent")).map((m) => m.subject)).toContain(subject);
    }
  });

  it("a delegate without Send As is refused with the SendAsDenied hint", async () => {
    const result = await attempt(
      createTransports(ews(bob), rigOAuth(rig, { tokenUser: "bob", scope: EWS_SCOPE })),
      await mail(shared, uniqueSubject("ews denied")),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure).toMatchObject({ step: "send", hint: { code: "smtp.5.2.252" } });
  });
});
