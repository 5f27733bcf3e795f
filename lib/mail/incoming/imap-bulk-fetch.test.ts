// The batch FETCH read from imapflow's framed responses: the common shape read directly, every other shape
// through imapflow's parser (a scripted server), the same bytes as imapflow's own fetch on Dovecot.
import { ImapFlow } from "imapflow";
// imapflow's own tokenizer: what the direct reading must agree with.
import { parser } from "imapflow/lib/handler/imap-handler.js";
import { afterEach, describe, expect, it } from "vitest";
import { startRecordingServer, type RecordingServer } from "@/e2e/support/recording-server";
import { deliverMails, passwordFromRig, testRig, uniqueName } from "@/e2e/support/mail-fixtures";
import { parsedBody, readFramedBody, uidFetchBodies, type FetchedBody } from "./imap-bulk-fetch";

const framed = (line: string, ...literals: string[]) =>
  readFramedBody(
    Buffer.from(line, "latin1"),
    literals.map((l) => Buffer.from(l, "latin1")),
  );

describe("readFramedBody", () => {
  it("reads the shapes servers send for UID BODY.PEEK[]", () => {
    expect(framed("* 5 FETCH (UID 7 BODY[] {5}\r\n)", "hello")).toEqual({ uid: 7, raw: Buffer.from("hello") });
    expect(framed("* 5 FETCH (BODY[] {5}\r\n UID 8)", "hello")?.uid).toBe(8);
    expect(framed("* 1 fetch (uid 9 body[] {2}\r\n)", "ab")?.uid).toBe(9);
    expect(framed("* 5 FETCH (UID 7 FLAGS (\\Seen $Label1) MODSEQ (123) BODY[] {2}\r\n)", "ab")?.uid).toBe(7);
    expect(framed("* 5 FETCH (UID 7 FLAGS () RFC822.SIZE 2 BODY[] {2}\r\n)", "ab")?.uid).toBe(7);
    expect(framed("* 5 FETCH (UID 4294967295 BODY[] {0}\r\n)", "")?.uid).toBe(4294967295);
  });

  it("leaves every other shape to imapflow's parser", () => {
    const others: [string, ...string[]][] = [
      ["* 5 FETCH (UID 7 BODY[] {6}\r\n)", "hello"], // declared size differs from the literal
      ['* 5 FETCH (UID 7 BODY[] "hello")'], // quoted body
      ["* 5 FETCH (UID 7 BODY[] NIL)"],
      ["* 5 FETCH (UID 7 X-GM-MSGID 1278455344230334865 BODY[] {2}\r\n)", "ab"],
      ["* 5 FETCH (UID 7 BODY[] {2}\r\n BODY[] {2}\r\n)", "ab", "cd"],
      ["* 5 FETCH (UID 7 UID 8 BODY[] {2}\r\n)", "ab"],
      ["* 5 FETCH (BODY[] {2}\r\n)", "ab"], // no UID
      ["* 5 FETCH (UID 0 BODY[] {2}\r\n)", "ab"],
      ["* 5 FETCH (UID 4294967296 BODY[] {2}\r\n)", "ab"],
      ["* 5 FETCH (UID 7 BODY[]<0> {2}\r\n)", "ab"],
      ["* 5 FETCH (UID 7 BODY[HEADER] {2}\r\n)", "ab"],
      ["* 5 FETCH (UID 7 BODY[] {2}\r\n", "ab"], // unclosed
      ["* 5 FETCH (UID 7 BODY[] {2}\r\n) trailing", "ab"],
      ["* 5 FETCH (UID 7  BODY[] {2}\r\n)", "ab"],
      ['* 5 FETCH (UID 7 FLAGS ("\\Seen") BODY[] {2}\r\n)', "ab"],
      ["* 5 FETCH (UID 7 FLAGS ((x)) BODY[] {2}\r\n)", "ab"],
      ["* 5 FETCH (UID 7 FLAGS (\\Seen))"], // unsolicited flag change
      ["* 5 EXISTS"],
      ["A1 OK done"],
    ];
    for (const [line, ...literals] of others) expect(framed(line, ...literals), line).toBeNull();
  });

  it("agrees with imapflow's parser on every shape it reads", async () => {
    const items = ["FLAGS (\\Seen)", "FLAGS ()", "MODSEQ (99)", "RFC822.SIZE 3"];
    let checked = 0;
    for (let seed = 0; seed < 200; seed++) {
      const extra = items.filter((_, i) => (seed >> i) & 1);
      const all = [`UID ${seed + 1}`, "BODY[] {3}\r\n", ...extra];
      // a fixed shuffle per seed
      all.sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7));
      const line = `* ${seed + 1} FETCH (${all.join(" ")})`;
      const literal = Buffer.from(`m${seed % 10}x`);
      const direct = readFramedBody(Buffer.from(line, "latin1"), [literal]);
      const viaParser = parsedBody(await parser(Buffer.from(line, "latin1"), { literals: [literal] }));
      expect(direct, line).not.toBeNull();
      expect(direct).toEqual(viaParser);
      checked++;
    }
    expect(checked).toBe(200);
  });
});

/** A scripted IMAP server answering the batch FETCH with the given lines (literals written as they are). */
function scriptedServer(fetchAnswer: (tag: string) => string): Promise<RecordingServer> {
  return startRecordingServer({
    greeting: "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] scripted ready",
    reply: (line) => {
      const [tag, command = "", sub = ""] = line.split(" ");
      const verb = command.toUpperCase() === "UID" ? `UID ${sub.toUpperCase()}` : command.toUpperCase();
      if (verb === "CAPABILITY") return `* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done`;
      if (verb === "SELECT" || verb === "EXAMINE")
        return `* 2 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 20] ok\r\n${tag} OK [READ-WRITE] done`;
      if (verb === "UID FETCH") return fetchAnswer(tag);
      if (verb === "LOGOUT") return `* BYE\r\n${tag} OK bye`;
      return tag ? `${tag} OK done` : null;
    },
  });
}

const servers: RecordingServer[] = [];
const clients: ImapFlow[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.logout().catch(() => c.close())));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function scriptedClient(
  fetchAnswer: (tag: string) => string,
): Promise<{ client: ImapFlow; server: RecordingServer }> {
  const server = await scriptedServer(fetchAnswer);
  servers.push(server);
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: "u", pass: "p" },
    logger: false,
    disableAutoIdle: true,
  });
  clients.push(client);
  await client.connect();
  await client.mailboxOpen("INBOX");
  return { client, server };
}

describe("uidFetchBodies", () => {
  it("reads the common shape directly and every other one through imapflow, state updates included", async () => {
    const { client, server } = await scriptedClient((tag) =>
      [
        "* 1 FETCH (UID 11 BODY[] {5}\r\nfirst)",
        '* 2 FETCH (UID 12 BODY[] "second")',
        "* 3 EXISTS",
        "* 9 FETCH (FLAGS (\\Seen))",
        "* 3 FETCH (UID 13 X-GM-MSGID 42 BODY[] {5}\r\nthird)",
        "* 4 FETCH (BODY[] {6}\r\nfourth UID 25)",
        `${tag} OK fetched`,
      ].join("\r\n"),
    );
    const got: FetchedBody[] = [];
    const lines: string[] = [];
    const counts = await uidFetchBodies(
      client,
      "11:25",
      (body) => void got.push(body),
      (line) => lines.push(line),
    );
    expect(got.map((b) => [b.uid, b.raw.toString()])).toEqual([
      [11, "first"],
      [12, "second"],
      [13, "third"],
      [25, "fourth"],
    ]);
    expect(counts).toEqual({ framed: 2, parsed: 2 });
    expect(lines).toEqual(["* 1 FETCH (UID 11 BODY[] {5})", "* 4 FETCH (BODY[] {6} UID 25)"]);
    expect(server.lines.some((l) => /^\S+ UID FETCH 11:25 \(UID BODY\.PEEK\[\]\)$/.test(l))).toBe(true);
    // imapflow still saw the EXISTS, and the UIDs moved UIDNEXT on as its own FETCH does
    expect(client.mailbox && client.mailbox.exists).toBe(3);
    expect(client.mailbox && client.mailbox.uidNext).toBe(26);
    // the hook is gone: the next command runs on imapflow's own handling
    expect(Object.prototype.hasOwnProperty.call(client, "handleResponse")).toBe(false);
    expect((await client.fetchOne("1", { uid: true }, { uid: true }).catch(() => null)) !== undefined).toBe(true);
  });

  it("rejects with the server's words when the command fails, and unhooks", async () => {
    const { client } = await scriptedClient(
      (tag) => `* 1 FETCH (UID 11 BODY[] {2}\r\nab)\r\n${tag} NO [SERVERBUG] it broke`,
    );
    const got: FetchedBody[] = [];
    await expect(uidFetchBodies(client, "11", (body) => void got.push(body))).rejects.toMatchObject({
      responseText: expect.stringContaining("it broke"),
    });
    expect(got.map((b) => b.uid)).toEqual([11]);
    expect(Object.prototype.hasOwnProperty.call(client, "handleResponse")).toBe(false);
  });
});

describe("uidFetchBodies on Dovecot", () => {
  const rig = testRig();
  it("hands over the same bytes as imapflow's fetch, every response read directly", async () => {
    const folder = uniqueName("Bulk");
    const user = rig.auth.users.alice.username;
    await deliverMails(rig, user, folder, ["one", "zwei ü", "three"]);
    const auth = passwordFromRig(rig, "alice");
    const client = new ImapFlow({
      host: rig.imap.host,
      port: rig.imap.tlsPort,
      secure: true,
      tls: { ca: rig.ca },
      auth: { user: auth.user, pass: auth.password },
      logger: false,
      disableAutoIdle: true,
    });
    clients.push(client);
    await client.connect();
    await client.mailboxOpen(folder);
    const expected = new Map<number, Buffer>();
    for await (const m of client.fetch("1:*", { uid: true, source: true })) if (m.source) expected.set(m.uid, m.source);
    const got = new Map<number, Buffer>();
    const counts = await uidFetchBodies(client, "1:*", ({ uid, raw }) => void got.set(uid, raw));
    expect(counts).toEqual({ framed: 3, parsed: 0 });
    expect([...got.keys()]).toEqual([...expected.keys()]);
    for (const [uid, raw] of expected) expect(got.get(uid)?.equals(raw)).toBe(true);
    // PEEK: nothing became \Seen
    for await (const m of client.fetch("1:*", { flags: true })) expect(m.flags?.has("\\Seen")).toBe(false);
  });
});
