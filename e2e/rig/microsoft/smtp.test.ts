// Exchange Online SMTP AUTH double: the replies Exchange gives — 535 5.7.3 for a token it does not accept,
// 535 5.7.139 for basic auth and for a mailbox with SMTP AUTH disabled, 554 5.2.252 SendAsDenied — and
// accepted mail reaching the sink and Sent Items.
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineClient } from "../mail/line-client";
import { ALICE, BOB, SHARED, sentMail, startTestDoubles, xoauth2, type TestDoubles } from "./test-support";

let t: TestDoubles;
beforeAll(async () => {
  t = await startTestDoubles();
});
afterAll(async () => {
  await t?.stop();
});

function transport(user: string, accessToken: string) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: t.doubles.exchange.smtpPort,
    secure: false,
    requireTLS: true,
    tls: { ca: t.ca, servername: "localhost" },
    auth: { type: "OAuth2", user, accessToken },
  });
}

async function startTlsSession(): Promise<LineClient> {
  const client = await LineClient.connect({
    host: "127.0.0.1",
    port: t.doubles.exchange.smtpPort,
    tls: false,
    ca: t.ca,
  });
  expect(await client.readLine()).toMatch(/^220 .* Microsoft ESMTP MAIL Service ready/);
  client.send("EHLO client.test");
  const before = await client.readUntil(/^250 /);
  expect(client.transcript.join("\n")).toContain("250-STARTTLS");
  expect(before).toBe("250 SMTPUTF8");
  client.send("STARTTLS");
  expect(await client.readLine()).toBe("220 2.0.0 SMTP server ready");
  await client.startTls(t.ca);
  client.send("EHLO client.test");
  await client.readUntil(/^250 /);
  expect(client.transcript.join("\n")).toContain("250-AUTH LOGIN XOAUTH2");
  return client;
}

const mail = (from: string) => ({ from, to: "customer@example.org", subject: `test from ${from}`, text: "hello" });

describe("Exchange SMTP double", () => {
  it("sends with a valid token and files a copy in Sent Items", async () => {
    const token = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    const info = await transport(ALICE, token).sendMail(mail(ALICE));
    expect(info.response).toMatch(/^250 2\.0\.0 OK <.*> \[Hostname=/);
    const sent = await sentMail(t.sinkDir);
    expect(sent.at(-1)?.envelope).toMatchObject({ from: ALICE, to: ["customer@example.org"] });
    expect(sent.at(-1)?.raw).toContain(`Subject: test from ${ALICE}`);
    const copies = await t.store.listMessages(ALICE, "Sent");
    expect(copies.length).toBeGreaterThan(0);
  });

  it("answers 535 5.7.3 for a token it does not accept", async () => {
    await expect(transport(ALICE, "forged.token.x").sendMail(mail(ALICE))).rejects.toThrow(
      /535 5\.7\.3 Authentication unsuccessful/,
    );
    const graphToken = t.auth.issue({ user: ALICE, aud: "https://graph.microsoft.com" });
    await expect(transport(ALICE, graphToken).sendMail(mail(ALICE))).rejects.toThrow(/535 5\.7\.3/);
    const bobToken = t.auth.issue({ user: BOB, aud: "https://outlook.office.com" });
    await expect(transport(SHARED, bobToken).sendMail(mail(SHARED))).rejects.toThrow(/535 5\.7\.3/);
  });

  it("answers 535 5.7.139 when SMTP AUTH is disabled for the mailbox", async () => {
    t.doubles.setSmtpAuthEnabled(BOB, false);
    try {
      const token = t.auth.issue({ user: BOB, aud: "https://outlook.office.com" });
      await expect(transport(BOB, token).sendMail(mail(BOB))).rejects.toThrow(
        /535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox\./,
      );
    } finally {
      t.doubles.setSmtpAuthEnabled(BOB, true);
    }
  });

  it("answers 535 5.7.139 to basic authentication", async () => {
    const client = await startTlsSession();
    client.send("AUTH LOGIN");
    expect(await client.readLine()).toBe("334 VXNlcm5hbWU6");
    client.send(Buffer.from(ALICE).toString("base64"));
    expect(await client.readLine()).toBe("334 UGFzc3dvcmQ6");
    client.send(Buffer.from("secret").toString("base64"));
    expect(await client.readLine()).toMatch(
      /^535 5\.7\.139 Authentication unsuccessful, basic authentication is disabled\./,
    );
    client.close();
  });

  it("takes XOAUTH2 in the two-step form too", async () => {
    const client = await startTlsSession();
    client.send("AUTH XOAUTH2");
    expect(await client.readLine()).toBe("334 ");
    client.send(xoauth2(ALICE, t.auth.issue({ user: ALICE, aud: "urn:rig:mail" })));
    expect(await client.readLine()).toBe("235 2.7.0 Authentication successful");
    client.close();
  });

  it("answers 554 5.2.252 SendAsDenied when sending as a mailbox without send-as right", async () => {
    const bobToken = t.auth.issue({ user: BOB, aud: "https://outlook.office.com" });
    await expect(transport(BOB, bobToken).sendMail(mail(SHARED))).rejects.toThrow(
      /554 5\.2\.252 SendAsDenied; bob@rig\.test not allowed to send as shared@rig\.test/,
    );
    const aliceToken = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    const info = await transport(ALICE, aliceToken).sendMail(mail(SHARED));
    expect(info.response).toMatch(/^250 /);
  });

  it("refuses MAIL before authentication", async () => {
    const client = await startTlsSession();
    client.send(`MAIL FROM:<${ALICE}>`);
    expect(await client.readLine()).toMatch(/^530 5\.7\.57 Client not authenticated to send mail\./);
    client.close();
  });
});
