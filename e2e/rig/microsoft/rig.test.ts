// The Microsoft doubles inside the running rig (rigInfo()), with real tokens from the rig's authorization
// server and real mail in its Dovecot: POP3, IMAP (delegate on the shared mailbox), SMTP, Graph and EWS.
import { readFileSync } from "node:fs";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { beforeAll, describe, expect, it } from "vitest";
import { getToken } from "../auth-client";
import { rigInfo, type RigInfo } from "../info";
import { LineClient } from "../mail/line-client";
import { deliver, resetMailbox, waitForSentMessage } from "../mailbox";
import { setSmtpAuthEnabled } from "./control";
import { httpsRequest, sampleMessage, xoauth2 } from "./test-support";

let rig: RigInfo;
let ca: string;
beforeAll(() => {
  rig = rigInfo();
  ca = readFileSync(rig.caFile, "utf8");
});

const outlookScope = (permission: string) => `https://outlook.office.com/${permission}`;
const tokenFor = async (user: string, scope: string) => (await getToken(rig, { user, scope })).access_token;

async function appOnlyToken(scope: string): Promise<string> {
  const client = rig.auth.clients.appOnly;
  const response = await fetch(rig.auth.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: client.clientId,
      client_secret: client.clientSecret ?? "",
      scope,
    }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`client credentials grant failed: ${body.error}`);
  return body.access_token;
}

describe("Microsoft doubles in the rig", () => {
  it("POP3: two-line XOAUTH2 with a rig token reads the Dovecot inbox", async () => {
    await resetMailbox(rig, rig.mailboxes.bob);
    await deliver(rig, rig.mailboxes.bob, sampleMessage("rig pop3", { to: rig.mailboxes.bob }));
    const token = await tokenFor("bob", outlookScope("POP.AccessAsUser.All"));
    const client = await LineClient.connect({ host: rig.exchange.host, port: rig.exchange.pop3TlsPort, tls: true, ca });
    await client.readLine();
    client.send(`AUTH XOAUTH2 ${xoauth2(rig.mailboxes.bob, token)}`);
    expect(await client.readLine()).toBe("-ERR Protocol error. Connection is closed. 10");
    const again = await LineClient.connect({ host: rig.exchange.host, port: rig.exchange.pop3TlsPort, tls: true, ca });
    await again.readLine();
    again.send("AUTH XOAUTH2");
    await again.readLine();
    again.send(xoauth2(rig.mailboxes.bob, token));
    expect(await again.readLine()).toBe("+OK User successfully authenticated.");
    again.send("TOP 1 0");
    expect(await again.readUntil(/^Subject:/)).toBe("Subject: rig pop3");
    again.close();
  });

  it("IMAP: a delegate opens the shared mailbox through the proxy", async () => {
    await resetMailbox(rig, rig.mailboxes.shared);
    await deliver(rig, rig.mailboxes.shared, sampleMessage("rig imap", { to: rig.mailboxes.shared }));
    const imap = new ImapFlow({
      host: rig.exchange.host,
      port: rig.exchange.imapTlsPort,
      secure: true,
      tls: { ca, servername: "localhost" },
      auth: { user: rig.mailboxes.shared, accessToken: await tokenFor("alice", outlookScope("IMAP.AccessAsUser.All")) },
      logger: false,
    });
    await imap.connect();
    const lock = await imap.getMailboxLock("INBOX");
    try {
      const message = await imap.fetchOne("*", { envelope: true });
      expect(message && message.envelope?.subject).toBe("rig imap");
    } finally {
      lock.release();
    }
    await imap.logout();
  });

  it("SMTP: sends with a rig token, 535 5.7.139 while SMTP AUTH is off for the mailbox", async () => {
    const token = await tokenFor("alice", outlookScope("SMTP.Send"));
    const transport = nodemailer.createTransport({
      host: rig.exchange.host,
      port: rig.exchange.smtpPort,
      requireTLS: true,
      tls: { ca, servername: "localhost" },
      auth: { type: "OAuth2", user: rig.mailboxes.alice, accessToken: token },
    });
    const subject = `rig smtp ${Date.now()}`;
    await transport.sendMail({ from: rig.mailboxes.alice, to: "customer@example.org", subject, text: "hi" });
    await waitForSentMessage(rig, (message) => message.subject === subject);
    await setSmtpAuthEnabled(rig, rig.mailboxes.alice, false);
    try {
      await expect(
        transport.sendMail({ from: rig.mailboxes.alice, to: "x@example.org", subject, text: "hi" }),
      ).rejects.toThrow(/535 5\.7\.139/);
    } finally {
      await setSmtpAuthEnabled(rig, rig.mailboxes.alice, true);
    }
  });

  it("Graph: lists mail with a Graph token and refuses an Outlook token", async () => {
    await resetMailbox(rig, rig.mailboxes.alice);
    await deliver(rig, rig.mailboxes.alice, sampleMessage("rig graph"));
    const url = `${rig.graph.baseUrl}/users/${rig.mailboxes.alice}/mailFolders/inbox/messages?$select=subject`;
    const graphToken = await tokenFor("alice", "https://graph.microsoft.com/Mail.ReadWrite");
    const ok = await httpsRequest(url, { ca, headers: { authorization: `Bearer ${graphToken}` } });
    expect(JSON.parse(ok.text).value.map((m: { subject: string }) => m.subject)).toEqual(["rig graph"]);
    const outlookToken = await tokenFor("alice", outlookScope("IMAP.AccessAsUser.All"));
    const refused = await httpsRequest(url, { ca, headers: { authorization: `Bearer ${outlookToken}` } });
    expect(refused.status).toBe(401);
  });

  it("EWS: an app-only token reads a mailbox through ExchangeImpersonation", async () => {
    await resetMailbox(rig, rig.mailboxes.shared);
    await deliver(rig, rig.mailboxes.shared, sampleMessage("rig ews", { to: rig.mailboxes.shared }));
    const token = await appOnlyToken("https://outlook.office365.com/.default");
    const soap = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${rig.mailboxes.shared}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header><soap:Body><m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem></soap:Body></soap:Envelope>`;
    const res = await httpsRequest(rig.ews.url, {
      ca,
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "text/xml",
        "x-anchormailbox": rig.mailboxes.shared,
      },
      body: soap,
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain("<t:Subject>rig ews</t:Subject>");
  });
});
