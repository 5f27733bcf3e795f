// Exchange Online POP3 double: the one-line XOAUTH2 quirk, the two-line login, basic auth refused, and a
// POP3 session over the mailbox (STAT, LIST, UIDL, TOP, RETR, DELE, RSET, QUIT).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LineClient } from "../mail/line-client";
import { ALICE, BOB, SHARED, sampleMessage, startTestDoubles, xoauth2, type TestDoubles } from "./test-support";

let t: TestDoubles;
beforeAll(async () => {
  t = await startTestDoubles();
});
afterAll(async () => {
  await t?.stop();
});

async function connect(): Promise<LineClient> {
  const client = await LineClient.connect({
    host: "127.0.0.1",
    port: t.doubles.exchange.pop3TlsPort,
    tls: true,
    ca: t.ca,
  });
  expect(await client.readLine()).toMatch(/^\+OK The Microsoft Exchange POP3 service is ready\./);
  return client;
}

async function login(user: string, token: string): Promise<{ client: LineClient; reply: string }> {
  const client = await connect();
  client.send("AUTH XOAUTH2");
  expect(await client.readLine()).toBe("+ ");
  client.send(xoauth2(user, token));
  return { client, reply: await client.readLine() };
}

async function readMultiline(client: LineClient): Promise<string[]> {
  const lines: string[] = [];
  for (let line = await client.readLine(); line !== "."; line = await client.readLine()) lines.push(line);
  return lines;
}

describe("Exchange POP3 double", () => {
  beforeEach(async () => {
    const uids = (await t.store.listMessages(ALICE, "INBOX")).map((m) => m.uid);
    await t.store.expunge(ALICE, "INBOX", uids);
  });

  it("refuses the one-line AUTH XOAUTH2 and closes the connection", async () => {
    const client = await connect();
    const token = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    client.send(`AUTH XOAUTH2 ${xoauth2(ALICE, token)}`);
    expect(await client.readLine()).toBe("-ERR Protocol error. Connection is closed. 10");
    await expect(client.readLine(2000)).rejects.toThrow(/connection closed/);
  });

  it("accepts the two-line AUTH XOAUTH2 and serves the inbox", async () => {
    t.store.deliver(ALICE, sampleMessage("first", { body: ".starts with a dot" }));
    t.store.deliver(ALICE, sampleMessage("second"));
    const token = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    const { client, reply } = await login(ALICE, token);
    expect(reply).toBe("+OK User successfully authenticated.");

    client.send("STAT");
    expect(await client.readLine()).toMatch(/^\+OK 2 \d+$/);
    client.send("UIDL");
    expect(await client.readLine()).toMatch(/^\+OK/);
    const uidl = await readMultiline(client);
    expect(uidl).toHaveLength(2);
    expect(new Set(uidl.map((line) => line.split(" ")[1])).size).toBe(2);

    client.send("TOP 1 0");
    expect(await client.readLine()).toBe("+OK");
    const head = await readMultiline(client);
    expect(head).toContain("Subject: first");
    expect(head.at(-1)).toBe("");

    client.send("RETR 1");
    expect(await client.readLine()).toBe("+OK");
    const message = await readMultiline(client);
    expect(message).toContain("..starts with a dot");

    client.send("DELE 1");
    expect(await client.readLine()).toBe("+OK");
    client.send("RETR 1");
    expect(await client.readLine()).toMatch(/^-ERR/);
    client.send("QUIT");
    expect(await client.readLine()).toBe("+OK Microsoft Exchange Server POP3 server signing off.");
    const left = await t.store.listMessages(ALICE, "INBOX");
    expect(left).toHaveLength(1);
  });

  it("keeps messages marked for deletion when RSET undoes DELE", async () => {
    t.store.deliver(ALICE, sampleMessage("kept"));
    const { client, reply } = await login(ALICE, t.auth.issue({ user: ALICE, aud: "urn:rig:mail" }));
    expect(reply).toMatch(/^\+OK/);
    client.send("DELE 1");
    await client.readLine();
    client.send("RSET");
    expect(await client.readLine()).toBe("+OK");
    client.send("QUIT");
    await client.readLine();
    expect(await t.store.listMessages(ALICE, "INBOX")).toHaveLength(1);
  });

  it("refuses basic authentication", async () => {
    const client = await connect();
    client.send(`USER ${ALICE}`);
    expect(await client.readLine()).toBe("+OK");
    client.send("PASS secret");
    expect(await client.readLine()).toBe("-ERR Logon failure: unknown user name or bad password.");
    client.close();
  });

  it("refuses a bad token, a token for another audience and a mailbox the token's user may not open", async () => {
    const bad = await login(ALICE, "not-a-token");
    expect(bad.reply).toBe("-ERR Authentication failure: unknown user name or bad password.");
    const graphToken = await login(ALICE, t.auth.issue({ user: ALICE, aud: "https://graph.microsoft.com" }));
    expect(graphToken.reply).toMatch(/^-ERR Authentication failure/);
    const bobOnShared = await login(SHARED, t.auth.issue({ user: BOB, aud: "https://outlook.office.com" }));
    expect(bobOnShared.reply).toMatch(/^-ERR Authentication failure/);
    const aliceOnShared = await login(SHARED, t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" }));
    expect(aliceOnShared.reply).toBe("+OK User successfully authenticated.");
    const appOnly = await login(SHARED, t.auth.issue({ user: null, aud: "https://outlook.office.com" }));
    expect(appOnly.reply).toBe("+OK User successfully authenticated.");
    for (const session of [bad, graphToken, bobOnShared, aliceOnShared, appOnly]) session.client.close();
  });

  it("answers CAPA like Exchange", async () => {
    const client = await connect();
    client.send("CAPA");
    expect(await client.readLine()).toBe("+OK");
    expect(await readMultiline(client)).toEqual(["TOP", "UIDL", "SASL PLAIN XOAUTH2", "USER"]);
    client.close();
  });
});
