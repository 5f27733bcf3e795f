// Self-test of the rig's Dovecot + Postfix + sink on their own, against a stand-in introspection endpoint
// whose token states the test controls. (rig-mail.test.ts repeats the key cases with real rig tokens.)
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliver,
  listFolders,
  listMessages,
  readSink,
  resetMailbox,
  waitForSentMessage,
  type MailRig,
} from "../mailbox";
import { removeAllButLogs } from "../rig-dir";
import { ensureRigTls } from "../tls";
import { startMailServers, type MailServers } from ".";
import { startIntrospectionStandIn, type IntrospectionStandIn } from "./introspection-stand-in";
import { oauthbearer, xoauth2 } from "./line-client";
import {
  imapAuthenticate,
  imapLogin,
  openImap,
  openPop3,
  openSmtp,
  pop3Authenticate,
  pop3UserPass,
  smtpAuthenticate,
  smtpCommand,
  type Endpoint,
} from "./sasl-dialogs";

const ALICE = "alice@rig.test";
const BOB = "bob@rig.test";
const SHARED = "shared@rig.test";
const delegates = { [SHARED]: [ALICE] };
const users = [
  { username: ALICE, password: 'alice:pw "quoted" é' },
  { username: BOB, password: "bob-pw-2" },
  { username: SHARED, password: "shared-pw-3" },
];

let dir: string;
let ca: string;
let introspection: IntrospectionStandIn;
let servers: MailServers;
let mailRig: MailRig;

beforeAll(async () => {
  dir = path.resolve("test-results", `mail-servers-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  introspection = await startIntrospectionStandIn(delegates);
  const tls = await ensureRigTls(dir);
  ca = readFileSync(tls.caFile, "utf8");
  servers = await startMailServers({
    dir,
    logDir: path.join(dir, "logs"),
    tls,
    introspectionUrl: introspection.url,
    users,
    delegates,
  });
  mailRig = {
    dovecotConf: servers.dovecot.conf,
    smtp: {
      host: "127.0.0.1",
      submissionPort: servers.postfix.submissionPort,
      smtpsPort: servers.postfix.smtpsPort,
      sinkDir: servers.sink.sinkDir,
    },
  };
});

afterAll(async () => {
  await servers?.stop();
  await introspection?.stop();
  if (dir) await removeAllButLogs(dir);
});

const imapEndpoints = (): [string, Endpoint][] => [
  ["IMAP STARTTLS", { host: "127.0.0.1", port: servers.dovecot.imap.port, tls: false, ca }],
  ["IMAPS", { host: "127.0.0.1", port: servers.dovecot.imap.tlsPort, tls: true, ca }],
];
const pop3Endpoints = (): [string, Endpoint][] => [
  ["POP3 STLS", { host: "127.0.0.1", port: servers.dovecot.pop3.port, tls: false, ca }],
  ["POP3S", { host: "127.0.0.1", port: servers.dovecot.pop3.tlsPort, tls: true, ca }],
];
const smtpEndpoints = (): [string, Endpoint][] => [
  ["submission STARTTLS", { host: "127.0.0.1", port: servers.postfix.submissionPort, tls: false, ca }],
  ["SMTPS", { host: "127.0.0.1", port: servers.postfix.smtpsPort, tls: true, ca }],
];

function saslResponse(mechanism: string, user: string, token: string, endpoint: Endpoint): string {
  return mechanism === "XOAUTH2" ? xoauth2(user, token) : oauthbearer(user, token, endpoint.host, endpoint.port);
}

describe("a good token logs in everywhere", () => {
  for (const mechanism of ["XOAUTH2", "OAUTHBEARER"]) {
    it(`IMAP and IMAPS with ${mechanism}`, async () => {
      for (const [name, endpoint] of imapEndpoints()) {
        const client = await openImap(endpoint);
        const outcome = await imapAuthenticate(
          client,
          mechanism,
          saslResponse(mechanism, ALICE, introspection.issue(ALICE), endpoint),
        );
        client.close();
        expect(outcome.final, name).toMatch(/^a1 OK .*Logged in/);
      }
    });

    it(`POP3 STLS and POP3S with ${mechanism}, one-line and two-step`, async () => {
      for (const [name, endpoint] of pop3Endpoints()) {
        for (const twoStep of [false, true]) {
          const client = await openPop3(endpoint);
          const outcome = await pop3Authenticate(
            client,
            mechanism,
            saslResponse(mechanism, ALICE, introspection.issue(ALICE), endpoint),
            twoStep,
          );
          client.close();
          expect(outcome.final, `${name} twoStep=${twoStep}`).toMatch(/^\+OK Logged in/);
        }
      }
    });

    it(`submission STARTTLS and SMTPS with ${mechanism}`, async () => {
      for (const [name, endpoint] of smtpEndpoints()) {
        const { client, ehlo } = await openSmtp(endpoint);
        expect(ehlo, name).toContain("AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER");
        const outcome = await smtpAuthenticate(
          client,
          mechanism,
          saslResponse(mechanism, ALICE, introspection.issue(ALICE), endpoint),
        );
        client.close();
        expect(outcome.final, name).toMatch(/^235 2\.7\.0 Authentication successful/);
      }
    });
  }

  it("imapflow logs in with an access token", async () => {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: servers.dovecot.imap.tlsPort,
      secure: true,
      tls: { ca },
      auth: { user: ALICE, accessToken: introspection.issue(ALICE) },
      logger: false,
    });
    await client.connect();
    const status = await client.status("INBOX", { messages: true });
    await client.logout();
    expect(status).toMatchObject({ path: "INBOX" });
  });
});

describe("password logins", () => {
  it("IMAP LOGIN and POP3 USER/PASS accept the rig password, even with special characters", async () => {
    const imap = await openImap(imapEndpoints()[0][1]);
    expect((await imapLogin(imap, ALICE, users[0].password)).final).toMatch(/^a2 OK/);
    imap.close();
    const pop3 = await openPop3(pop3Endpoints()[1][1]);
    expect((await pop3UserPass(pop3, BOB, "bob-pw-2")).final).toMatch(/^\+OK Logged in/);
    pop3.close();
  });

  it("a wrong password is refused", async () => {
    const imap = await openImap(imapEndpoints()[1][1]);
    const outcome = await imapLogin(imap, BOB, "not-the-password");
    imap.close();
    expect(outcome.final).toBe("a2 NO [AUTHENTICATIONFAILED] Authentication failed.");
  });

  it("SMTP AUTH PLAIN with the password", async () => {
    const { client } = await openSmtp(smtpEndpoints()[0][1]);
    const plain = Buffer.from(`\0${BOB}\0bob-pw-2`).toString("base64");
    const outcome = await smtpAuthenticate(client, "PLAIN", plain);
    client.close();
    expect(outcome.final).toMatch(/^235 /);
  });
});

describe("bad tokens are refused with the server's real reply", () => {
  const badTokens: [string, () => string][] = [
    ["expired", () => introspection.issue(ALICE, "expired")],
    ["revoked", () => introspection.issue(ALICE, "revoked")],
    ["wrong-audience", () => introspection.issue(ALICE, "wrong-audience")],
    ["unknown", () => "not-a-token-at-all"],
    ["wrong user (bob's token for alice)", () => introspection.issue(BOB)],
  ];
  for (const [label, token] of badTokens) {
    it(`${label}: IMAP, POP3 and SMTP refuse it`, async () => {
      const [, imapEndpoint] = imapEndpoints()[1];
      const imap = await openImap(imapEndpoint);
      const imapOutcome = await imapAuthenticate(imap, "XOAUTH2", xoauth2(ALICE, token()));
      imap.close();
      expect(imapOutcome.errorChallenge).toEqual({ status: "401", schemes: "bearer", scope: "mail" });
      expect(imapOutcome.final).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");

      const [, popEndpoint] = pop3Endpoints()[0];
      const pop3 = await openPop3(popEndpoint);
      const popOutcome = await pop3Authenticate(pop3, "XOAUTH2", xoauth2(ALICE, token()), true);
      pop3.close();
      expect(popOutcome.final).toBe("-ERR [AUTH] Authentication failed.");

      const [, smtpEndpoint] = smtpEndpoints()[1];
      const { client } = await openSmtp(smtpEndpoint);
      const smtpOutcome = await smtpAuthenticate(
        client,
        "OAUTHBEARER",
        oauthbearer(ALICE, token(), smtpEndpoint.host, smtpEndpoint.port),
      );
      client.close();
      expect(smtpOutcome.final).toMatch(/^535 5\.7\.8 Error: authentication failed/);
    });
  }

  it("an unreachable or failing introspection endpoint is a temporary failure, not a bad password", async () => {
    introspection.failWith(500);
    try {
      const imap = await openImap(imapEndpoints()[0][1]);
      const outcome = await imapAuthenticate(imap, "XOAUTH2", xoauth2(ALICE, introspection.issue(ALICE)));
      imap.close();
      expect(outcome.final).toMatch(/^a1 NO \[UNAVAILABLE\] Temporary authentication failure/);
    } finally {
      introspection.failWith(null);
    }
  });
});

describe("shared mailbox", () => {
  it("alice's token opens shared@ (she is a delegate); the introspection was asked for that login", async () => {
    for (const [name, endpoint] of imapEndpoints()) {
      const client = await openImap(endpoint);
      const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(SHARED, introspection.issue(ALICE)));
      client.close();
      expect(outcome.final, name).toMatch(/^a1 OK/);
    }
    expect(introspection.requests.some((request) => request.user === SHARED)).toBe(true);
    const pop3 = await openPop3(pop3Endpoints()[1][1]);
    const popOutcome = await pop3Authenticate(
      pop3,
      "OAUTHBEARER",
      oauthbearer(SHARED, introspection.issue(ALICE), "127.0.0.1", 0),
      false,
    );
    pop3.close();
    expect(popOutcome.final).toMatch(/^\+OK Logged in/);
  });

  it("bob's token does not open shared@", async () => {
    const client = await openImap(imapEndpoints()[1][1]);
    const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(SHARED, introspection.issue(BOB)));
    client.close();
    expect(outcome.final).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  });

  it("an app-only token (no user) opens any mailbox", async () => {
    const client = await openImap(imapEndpoints()[1][1]);
    const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(BOB, introspection.issue(null)));
    client.close();
    expect(outcome.final).toMatch(/^a1 OK/);
  });
});

describe("Postfix relays to the sink", () => {
  for (const [label, secure, portOf] of [
    ["submission STARTTLS", false, () => servers.postfix.submissionPort],
    ["SMTPS", true, () => servers.postfix.smtpsPort],
  ] as const) {
    it(`an XOAUTH2-authenticated message sent over ${label} arrives in the sink`, async () => {
      const subject = `relay test ${label} ${Date.now()}`;
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: portOf(),
        secure,
        requireTLS: !secure,
        tls: { ca },
        auth: { type: "OAuth2", user: ALICE, accessToken: introspection.issue(ALICE) },
      });
      const info = await transport.sendMail({
        from: ALICE,
        to: "customer@example.org",
        subject,
        text: "hello\n.\n..dots stay",
      });
      expect(info.accepted).toEqual(["customer@example.org"]);
      const sent = await waitForSentMessage(mailRig, (message) => message.subject === subject);
      expect(sent.envelope).toMatchObject({ from: ALICE, to: ["customer@example.org"] });
      expect(sent.raw).toMatch(/\r\n\.\.?\r\n\.\.dots stay/);
      expect(sent.raw).toContain("Authenticated sender: alice@rig.test");
    });
  }

  it("a delegate may send as the shared mailbox, but nobody as someone else (SendAs)", async () => {
    const { client } = await openSmtp(smtpEndpoints()[0][1]);
    await smtpAuthenticate(client, "XOAUTH2", xoauth2(ALICE, introspection.issue(ALICE)));
    expect(await smtpCommand(client, `MAIL FROM:<${SHARED}>`)).toMatch(/^250 /);
    expect(await smtpCommand(client, "RCPT TO:<customer@example.org>")).toMatch(/^250 /);
    expect(await smtpCommand(client, "RSET")).toMatch(/^250 /);
    expect(await smtpCommand(client, `MAIL FROM:<${BOB}>`)).toMatch(/^250 /);
    expect(await smtpCommand(client, "RCPT TO:<customer@example.org>")).toMatch(
      /^553 5\.7\.1 <bob@rig\.test>: Sender address rejected: not owned by user alice@rig\.test/,
    );
    client.close();
  });

  it("unauthenticated sending is refused", async () => {
    const { client } = await openSmtp(smtpEndpoints()[1][1]);
    expect(await smtpCommand(client, `MAIL FROM:<${ALICE}>`)).toMatch(/^250 /);
    expect(await smtpCommand(client, "RCPT TO:<customer@example.org>")).toBe(
      "553 5.7.1 <alice@rig.test>: Sender address rejected: not logged in",
    );
    client.close();
  });

  it("readSink returns every relayed message with its envelope", async () => {
    const all = await readSink(mailRig);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const message of all) expect(message.envelope.to.length).toBeGreaterThan(0);
  });
});

describe("mailbox helpers", () => {
  const mime = (subject: string) =>
    `From: customer@example.org\r\nTo: ${BOB}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}@example.org>\r\n\r\nbody of ${subject}\r\n`;

  it("deliver, listMessages and resetMailbox work on a user's folders and IMAP sees the same mail", async () => {
    await resetMailbox(mailRig, BOB);
    await deliver(mailRig, BOB, mime("first"));
    await deliver(mailRig, BOB, mime("second"));
    await deliver(mailRig, BOB, mime("archived"), "Archive/2026");
    const inbox = await listMessages(mailRig, BOB, "INBOX");
    expect(inbox.map((m) => m.subject)).toEqual(["first", "second"]);
    expect(inbox.every((m) => m.flags.length === 0)).toBe(true);
    expect((await listMessages(mailRig, BOB, "Archive/2026")).map((m) => m.subject)).toEqual(["archived"]);

    const client = new ImapFlow({
      host: "127.0.0.1",
      port: servers.dovecot.imap.port,
      secure: false,
      doSTARTTLS: true,
      tls: { ca },
      auth: { user: BOB, accessToken: introspection.issue(BOB) },
      logger: false,
    });
    await client.connect();
    const lock = await client.getMailboxLock("INBOX");
    try {
      await client.messageFlagsAdd(`${inbox[0].uid}`, ["\\Seen"], { uid: true });
    } finally {
      lock.release();
    }
    await client.logout();
    const after = await listMessages(mailRig, BOB, "INBOX");
    expect(after.find((m) => m.uid === inbox[0].uid)?.flags).toEqual(["\\Seen"]);

    await resetMailbox(mailRig, BOB);
    expect(await listMessages(mailRig, BOB, "INBOX")).toEqual([]);
    expect(await listFolders(mailRig, BOB)).not.toContain("Archive/2026");
  });

  it("deliver refuses an unknown user", async () => {
    await expect(deliver(mailRig, "nobody@rig.test", mime("lost"))).rejects.toThrow(/doveadm save/);
  });
});
