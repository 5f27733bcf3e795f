// The rig's mail servers with real tokens from the rig's authorization server (ROPC), through the rig that the
// vitest global setup started (or MAILBRIDGE_RIG_INFO points at).
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import { beforeAll, describe, expect, it } from "vitest";
import { getToken, revoke, setTtl } from "../auth-client";
import { rigInfo, type RigClient, type RigInfo } from "../info";
import { deliver, listMessages, resetMailbox, waitForSentMessage } from "../mailbox";
import { oauthbearer, xoauth2 } from "./line-client";
import {
  imapAuthenticate,
  openImap,
  openPop3,
  openSmtp,
  pop3Authenticate,
  smtpAuthenticate,
  type Endpoint,
} from "./sasl-dialogs";

const OUTLOOK_IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All";
const GRAPH_MAIL = "https://graph.microsoft.com/Mail.Read";

let rig: RigInfo;
let ca: string;

beforeAll(() => {
  rig = rigInfo();
  ca = readFileSync(rig.caFile, "utf8");
});

async function ropcToken(user: "alice" | "bob" | "shared", scope: string, client?: RigClient): Promise<string> {
  return (await getToken(rig, { user, scope, client })).access_token;
}

/** Expiry and revocation are set for this client only, so parallel tests using other clients are not affected. */
const isolatedClient = () => rig.auth.clients.secretPost;

const imaps = (): Endpoint => ({ host: rig.imap.host, port: rig.imap.tlsPort, tls: true, ca });

describe("rig mail servers with tokens from the rig's authorization server", () => {
  it("an Outlook-scoped token logs in on IMAP STARTTLS, IMAPS, POP3 STLS, POP3S, submission and SMTPS", async () => {
    const token = await ropcToken("alice", OUTLOOK_IMAP);
    const alice = rig.mailboxes.alice;
    for (const port of [rig.imap.port, rig.imap.tlsPort]) {
      const endpoint = { host: rig.imap.host, port, tls: port === rig.imap.tlsPort, ca };
      for (const mechanism of ["XOAUTH2", "OAUTHBEARER"]) {
        const client = await openImap(endpoint);
        const response =
          mechanism === "XOAUTH2" ? xoauth2(alice, token) : oauthbearer(alice, token, endpoint.host, port);
        const outcome = await imapAuthenticate(client, mechanism, response);
        client.close();
        expect(outcome.final, `IMAP ${port} ${mechanism}`).toMatch(/^a1 OK/);
      }
    }
    for (const port of [rig.pop3.port, rig.pop3.tlsPort]) {
      const client = await openPop3({ host: rig.pop3.host, port, tls: port === rig.pop3.tlsPort, ca });
      const outcome = await pop3Authenticate(client, "XOAUTH2", xoauth2(alice, token), true);
      client.close();
      expect(outcome.final, `POP3 ${port}`).toMatch(/^\+OK/);
    }
    for (const port of [rig.smtp.submissionPort, rig.smtp.smtpsPort]) {
      const { client } = await openSmtp({ host: rig.smtp.host, port, tls: port === rig.smtp.smtpsPort, ca });
      const outcome = await smtpAuthenticate(client, "OAUTHBEARER", oauthbearer(alice, token, rig.smtp.host, port));
      client.close();
      expect(outcome.final, `SMTP ${port}`).toMatch(/^235 /);
    }
  });

  it("a Graph-audience token is refused by IMAP", async () => {
    const token = await ropcToken("alice", GRAPH_MAIL);
    const client = await openImap(imaps());
    const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(rig.mailboxes.alice, token));
    client.close();
    expect(outcome.errorChallenge).toMatchObject({ status: "401", schemes: "bearer" });
    expect(outcome.final).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  });

  it("a revoked token is refused", async () => {
    const token = await ropcToken("bob", OUTLOOK_IMAP, isolatedClient());
    await revoke(rig, { user: "bob", clientId: isolatedClient().clientId });
    const client = await openImap(imaps());
    const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(rig.mailboxes.bob, token));
    client.close();
    expect(outcome.final).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  });

  it("an expired token is refused", async () => {
    const clientId = isolatedClient().clientId;
    await setTtl(rig, 1, { clientId });
    let token: string;
    try {
      token = await ropcToken("bob", OUTLOOK_IMAP, isolatedClient());
    } finally {
      await setTtl(rig, 3600, { clientId });
    }
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const client = await openImap(imaps());
    const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(rig.mailboxes.bob, token));
    client.close();
    expect(outcome.final).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  });

  it("alice's token opens the shared mailbox, bob's does not, and bob's token does not open alice's", async () => {
    const aliceToken = await ropcToken("alice", OUTLOOK_IMAP);
    const bobToken = await ropcToken("bob", OUTLOOK_IMAP);
    const attempt = async (login: string, token: string) => {
      const client = await openImap(imaps());
      const outcome = await imapAuthenticate(client, "XOAUTH2", xoauth2(login, token));
      client.close();
      return outcome.final;
    };
    expect(await attempt(rig.mailboxes.shared, aliceToken)).toMatch(/^a1 OK/);
    expect(await attempt(rig.mailboxes.shared, bobToken)).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
    expect(await attempt(rig.mailboxes.alice, bobToken)).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  });

  it("Postfix relays an XOAUTH2-authenticated message to the sink", async () => {
    const subject = `rig relay ${Date.now()}`;
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.submissionPort,
      secure: false,
      requireTLS: true,
      tls: { ca },
      auth: {
        type: "OAuth2",
        user: rig.mailboxes.alice,
        accessToken: await ropcToken("alice", "https://outlook.office.com/SMTP.Send"),
      },
    });
    await transport.sendMail({ from: rig.mailboxes.alice, to: "someone@example.org", subject, text: "via the rig" });
    const sent = await waitForSentMessage(rig, (message) => message.subject === subject);
    expect(sent.envelope.to).toEqual(["someone@example.org"]);
  });

  it("mail delivered with doveadm is listed and a POP3 client sees it", async () => {
    const shared = rig.mailboxes.shared;
    await resetMailbox(rig, shared);
    await deliver(rig, shared, `From: a@example.org\r\nTo: ${shared}\r\nSubject: for the team\r\n\r\nhello\r\n`);
    expect((await listMessages(rig, shared)).map((m) => m.subject)).toEqual(["for the team"]);
    const client = await openPop3({ host: rig.pop3.host, port: rig.pop3.tlsPort, tls: true, ca });
    await pop3Authenticate(
      client,
      "XOAUTH2",
      xoauth2(shared, await ropcToken("alice", "https://outlook.office.com/POP.AccessAsUser.All")),
      true,
    );
    client.send("STAT");
    expect(await client.readLine()).toMatch(/^\+OK 1 \d+$/);
    client.close();
    await resetMailbox(rig, shared);
  });
});
