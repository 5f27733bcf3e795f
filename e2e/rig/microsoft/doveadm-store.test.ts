// The Microsoft doubles on the rig's real Dovecot (e2e/rig/mail/dovecot.ts) through the doveadm mail store:
// the store's own operations (binary-safe MIME, flags, move, expunge), Graph delta and EWS MIME over mail
// delivered with doveadm, POP3 over the Dovecot inbox, and the IMAP proxy logging in to Dovecot with the
// client's token and dropping the session with BYE when that token expires.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDovecot, type DovecotHandle } from "../mail/dovecot";
import { startIntrospectionStandIn, type IntrospectionStandIn } from "../mail/introspection-stand-in";
import { LineClient } from "../mail/line-client";
import { deliver, listMessages, resetMailbox } from "../mailbox";
import { removeAllButLogs } from "../rig-dir";
import { ensureRigTls } from "../tls";
import type { Introspect } from "./access";
import { DoveadmMailStore } from "./doveadm-mail-store";
import { startMicrosoftDoubles, type MicrosoftDoubles } from "./index";
import { ALICE, BOB, DELEGATES, SHARED, fakeAuth, httpsRequest, sampleMessage, xoauth2 } from "./test-support";

let dir: string;
let ca: string;
let standIn: IntrospectionStandIn;
let dovecot: DovecotHandle;
let doubles: MicrosoftDoubles;
let store: DoveadmMailStore;
const jwtAuth = fakeAuth();
/** stand-in tokens that the doubles treat as expiring two seconds after issue */
const shortLived = new Map<string, number>();

// Dovecot checks the tokens the IMAP proxy passes through at the stand-in; the doubles ask the same stand-in
// for those, and the JWT-shaped fake for Graph/EWS tokens.
const introspect: Introspect = async (token, resource, user) => {
  if (!token.startsWith("standin.")) return jwtAuth.introspect(token, resource, user);
  const url = new URL(standIn.url);
  if (user) url.searchParams.set("user", user);
  const res = await fetch(url, { method: "POST", body: new URLSearchParams({ token }) });
  const answer = (await res.json()) as Record<string, any>;
  if (answer.active === true && shortLived.has(token)) answer.exp = shortLived.get(token);
  return answer;
};

beforeAll(async () => {
  dir = path.resolve("test-results", `ms-doveadm-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  const tls = await ensureRigTls(dir);
  ca = readFileSync(tls.caFile, "utf8");
  standIn = await startIntrospectionStandIn(DELEGATES);
  dovecot = await startDovecot({
    dir: path.join(dir, "dovecot"),
    logDir: path.join(dir, "logs"),
    tls,
    introspectionUrl: standIn.url,
    users: [ALICE, BOB, SHARED].map((username) => ({ username, password: randomBytes(9).toString("base64url") })),
  });
  store = new DoveadmMailStore(dovecot.conf);
  doubles = await startMicrosoftDoubles({
    dir: path.join(dir, "microsoft"),
    logDir: path.join(dir, "logs"),
    tls: { key: tls.keyPem, cert: tls.certPem },
    introspect,
    dovecotConf: dovecot.conf,
    imap: dovecot.imap,
    pop3: dovecot.pop3,
    smtp: { host: "127.0.0.1", submissionPort: 1 },
    sinkDir: path.join(dir, "sink"),
  });
});

afterAll(async () => {
  await doubles?.stop();
  await dovecot?.stop();
  await standIn?.stop();
  if (dir) await removeAllButLogs(dir);
});

const rig = () => ({
  dovecotConf: dovecot.conf,
  smtp: { host: "127.0.0.1", submissionPort: 1, smtpsPort: 1, sinkDir: path.join(dir, "sink") },
});

describe("DoveadmMailStore", () => {
  it("knows the rig's mailboxes", async () => {
    expect((await store.mailboxes()).sort()).toEqual([ALICE, BOB, SHARED].sort());
    expect(await store.hasMailbox(ALICE)).toBe(true);
    expect(await store.hasMailbox("nobody@rig.test")).toBe(false);
  });

  it("reads messages byte for byte, changes flags, moves and expunges", async () => {
    await resetMailbox(rig(), BOB);
    const binary = Buffer.concat([
      Buffer.from("Subject: binary\r\nContent-Type: application/octet-stream\r\n\r\n"),
      Buffer.from([0x00, 0xff, 0x0c, 0x0d, 0x0a, 0x80, 0x41]),
      Buffer.from("\r\ntext: looks like a field\r\n\f\r\nend\r\n"),
    ]);
    await store.append(BOB, "INBOX", binary);
    const [meta] = await store.listMessages(BOB, "INBOX");
    expect(meta.size).toBe(binary.length);
    expect(meta.receivedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await store.readMessage(BOB, "INBOX", meta.uid))?.equals(binary)).toBe(true);

    await store.addFlags(BOB, "INBOX", [meta.uid], ["\\Seen", "\\Flagged"]);
    expect((await listMessages(rig(), BOB)).at(0)?.flags.sort()).toEqual(["\\Flagged", "\\Seen"]);
    await store.removeFlags(BOB, "INBOX", [meta.uid], ["\\Flagged"]);
    expect((await store.listMessages(BOB, "INBOX"))[0].flags).toEqual(["\\Seen"]);

    const movedUid = await store.move(BOB, "INBOX", meta.uid, "Archive");
    expect(movedUid).toBeGreaterThan(0);
    expect(await store.listMessages(BOB, "INBOX")).toEqual([]);
    expect((await store.readMessage(BOB, "Archive", movedUid!))?.equals(binary)).toBe(true);
    const archive = (await store.listFolders(BOB)).find((f) => f.name === "Archive");
    expect(archive?.guid).toMatch(/^[0-9a-f]{32}$/);

    await store.expunge(BOB, "Archive", [movedUid!]);
    expect(await store.listMessages(BOB, "Archive")).toEqual([]);
  });
});

describe("the doubles on Dovecot mailboxes", () => {
  it("Graph delta over doveadm returns only new mail on the second call, EWS serves the MIME", async () => {
    await resetMailbox(rig(), ALICE);
    await deliver(rig(), ALICE, sampleMessage("dovecot one"));
    const token = jwtAuth.issue({ user: ALICE, aud: "https://graph.microsoft.com" });
    const get = async (url: string) =>
      JSON.parse((await httpsRequest(url, { ca, headers: { authorization: `Bearer ${token}` } })).text) as Record<
        string,
        any
      >;
    const first = await get(`${doubles.graph.baseUrl}/users/${ALICE}/mailFolders/inbox/messages/delta`);
    expect(first.value.map((m: { subject: string }) => m.subject)).toEqual(["dovecot one"]);
    await deliver(rig(), ALICE, sampleMessage("dovecot two"));
    const second = await get(first["@odata.deltaLink"]);
    expect(second.value.map((m: { subject: string }) => m.subject)).toEqual(["dovecot two"]);

    const ewsToken = jwtAuth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    const id = Buffer.from(second.value[0].id, "base64url").toString("base64");
    const soap = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Body><m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape><m:ItemIds><t:ItemId Id="${id}"/></m:ItemIds></m:GetItem></soap:Body></soap:Envelope>`;
    const res = await httpsRequest(doubles.ews.url, {
      ca,
      method: "POST",
      headers: { authorization: `Bearer ${ewsToken}`, "content-type": "text/xml" },
      body: soap,
    });
    const mime = Buffer.from(
      /<t:MimeContent CharacterSet="UTF-8">([^<]+)</.exec(res.text)?.[1] ?? "",
      "base64",
    ).toString();
    expect(mime).toContain("Subject: dovecot two\r\n");
  });

  it("POP3 serves the Dovecot inbox and DELE+QUIT expunges there", async () => {
    await resetMailbox(rig(), BOB);
    await deliver(rig(), BOB, sampleMessage("pop me", { to: BOB }));
    const client = await LineClient.connect({ host: "127.0.0.1", port: doubles.exchange.pop3TlsPort, tls: true, ca });
    await client.readLine();
    client.send("AUTH XOAUTH2");
    expect(await client.readLine()).toBe("+ ");
    client.send(xoauth2(BOB, jwtAuth.issue({ user: BOB, aud: "https://outlook.office.com" })));
    expect(await client.readLine()).toBe("+OK User successfully authenticated.");
    client.send("RETR 1");
    expect(await client.readLine()).toBe("+OK");
    expect(await client.readUntil(/^Subject:/)).toBe("Subject: pop me");
    await client.readUntil(/^\.$/);
    client.send("DELE 1");
    await client.readLine();
    client.send("QUIT");
    await client.readLine();
    expect(await listMessages(rig(), BOB)).toEqual([]);
  });

  it("the IMAP proxy logs in to Dovecot with the client's token, also for a delegate on the shared mailbox", async () => {
    await resetMailbox(rig(), SHARED);
    await deliver(rig(), SHARED, sampleMessage("for the team", { to: SHARED }));
    const imap = new ImapFlow({
      host: "127.0.0.1",
      port: doubles.exchange.imapTlsPort,
      secure: true,
      tls: { ca, servername: "localhost" },
      auth: { user: SHARED, accessToken: standIn.issue(ALICE) },
      logger: false,
    });
    await imap.connect();
    const lock = await imap.getMailboxLock("INBOX");
    try {
      const message = await imap.fetchOne("*", { envelope: true, source: true });
      expect(message && message.envelope?.subject).toBe("for the team");
    } finally {
      lock.release();
    }
    await imap.logout();
  });

  it("the IMAP proxy drops a Dovecot session with BYE AccessTokenExpired when the token expires", async () => {
    const token = standIn.issue(ALICE);
    shortLived.set(token, Math.floor(Date.now() / 1000) + 2);
    const client = await LineClient.connect({ host: "127.0.0.1", port: doubles.exchange.imapTlsPort, tls: true, ca });
    await client.readLine();
    client.send(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, token)}`);
    expect(await client.readLine()).toBe("a1 OK AUTHENTICATE completed.");
    client.send("a2 SELECT INBOX");
    expect(await client.readUntil(/^a2 /)).toMatch(/^a2 OK/);
    expect(await client.readLine(5000)).toBe("* BYE Session invalidated - AccessTokenExpired");
    await expect(client.readLine(2000)).rejects.toThrow(/connection closed/);
  });
});
