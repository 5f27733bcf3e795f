// Exchange Online IMAP double: XOAUTH2 checked at the front, basic auth refused, "authenticated but not
// connected" for a mailbox the token's user may not open, relaying to the backend, and the BYE when the
// access token expires mid-session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineClient } from "../mail/line-client";
import { ALICE, BOB, SHARED, startTestDoubles, xoauth2, type TestDoubles } from "./test-support";

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
    port: t.doubles.exchange.imapTlsPort,
    tls: true,
    ca: t.ca,
  });
  expect(await client.readLine()).toMatch(/^\* OK The Microsoft Exchange IMAP4 service is ready\. \[/);
  return client;
}

describe("Exchange IMAP double", () => {
  it("offers XOAUTH2 and refuses LOGIN", async () => {
    const client = await connect();
    client.send("a1 CAPABILITY");
    expect(await client.readLine()).toContain("AUTH=XOAUTH2");
    expect(await client.readLine()).toBe("a1 OK CAPABILITY completed.");
    client.send(`a2 LOGIN ${ALICE} secret`);
    expect(await client.readLine()).toBe("a2 NO LOGIN failed.");
    client.close();
  });

  it("refuses an invalid token with NO AUTHENTICATE failed.", async () => {
    const client = await connect();
    client.send(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, "forged.token.value")}`);
    expect(await client.readLine()).toBe("a1 NO AUTHENTICATE failed.");
    const graphToken = t.auth.issue({ user: ALICE, aud: "https://graph.microsoft.com" });
    client.send("a2 AUTHENTICATE XOAUTH2");
    expect(await client.readLine()).toBe("+ ");
    client.send(xoauth2(ALICE, graphToken));
    expect(await client.readLine()).toBe("a2 NO AUTHENTICATE failed.");
    client.close();
  });

  it("lets a token whose user may not open the mailbox in, but not connected", async () => {
    const client = await connect();
    const token = t.auth.issue({ user: BOB, aud: "https://outlook.office.com" });
    client.send(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(SHARED, token)}`);
    expect(await client.readLine()).toBe("a1 OK AUTHENTICATE completed.");
    client.send("a2 SELECT INBOX");
    expect(await client.readLine()).toBe("a2 BAD User is authenticated but not connected.");
    client.send('a3 LIST "" *');
    expect(await client.readLine()).toBe("a3 BAD User is authenticated but not connected.");
    expect(await client.readLine()).toBe("* BYE Connection closed. 14");
    expect(t.imapLogins).not.toContain(SHARED);
    client.close();
  });

  it("relays a delegate's session on a shared mailbox to the backend", async () => {
    const client = await connect();
    const token = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    client.send(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(SHARED, token)}`);
    expect(await client.readLine()).toBe("a1 OK AUTHENTICATE completed.");
    client.send("a2 SELECT INBOX");
    expect(await client.readLine()).toBe("* 0 EXISTS");
    expect(await client.readLine()).toBe(`a2 OK [READ-WRITE] SELECT completed (backend of ${SHARED}).`);
    client.close();
  });

  it("ends the session with BYE AccessTokenExpired when the token expires", async () => {
    const client = await connect();
    const token = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com", expiresIn: 2 });
    client.send(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, token)}`);
    expect(await client.readLine()).toBe("a1 OK AUTHENTICATE completed.");
    client.send("a2 NOOP");
    expect(await client.readLine()).toBe(`a2 OK NOOP completed (backend of ${ALICE}).`);
    expect(await client.readLine(5000)).toBe("* BYE Session invalidated - AccessTokenExpired");
    await expect(client.readLine(2000)).rejects.toThrow(/connection closed/);
  });
});
