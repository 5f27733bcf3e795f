// POP3 against the rig: Dovecot with STLS and implicit TLS (OAuth and password), Exchange Online's two-line
// XOAUTH2 quirk, a server that takes only the one-line form, UIDL cursor and DELE.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listMessages } from "@/e2e/rig/mailbox";
import { TranscriptRecorder } from "@/lib/mail/transcript";
import { Pop3Client } from "./pop3-client";
import { Pop3Source } from "./pop3-source";
import type { IncomingSession, Pop3Cursor, SourceAuth, SourceSettings } from "./source";
import { MailStepError, StepRecorder } from "./steps";
import {
  deliverMails,
  oauthFromRig,
  passwordFromRig,
  readAll,
  SCOPES,
  testRig,
  uniqueName,
} from "@/e2e/support/mail-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;

function popSettings(protocol: "pop" | "pops", overrides: Partial<SourceSettings> = {}): SourceSettings {
  return {
    protocol,
    startTls: true,
    host: rig.pop3.host,
    port: protocol === "pops" ? rig.pop3.tlsPort : rig.pop3.port,
    mailbox: alice,
    folder: "INBOX",
    ca: rig.ca,
    timeoutMs: 10_000,
    ...overrides,
  };
}

const sessions: IncomingSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function open(settings: SourceSettings, auth: SourceAuth, transcript?: TranscriptRecorder) {
  const steps = new StepRecorder();
  const session = await new Pop3Source(settings, auth).connect({ steps, transcript });
  sessions.push(session);
  await session.openFolder("INBOX");
  return { session, steps };
}

/** Subjects of the listed messages (other tests share the INBOX: callers look for their own subjects). */
async function subjectsOf(session: IncomingSession, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const raw = await readAll(await session.fetchRaw(id));
    out.set(/^Subject: (.*)$/m.exec(raw)?.[1].trim() ?? "", raw);
  }
  return out;
}

describe.each([
  ["pop", "oauth"],
  ["pops", "oauth"],
  ["pop", "password"],
  ["pops", "password"],
] as const)("%s with %s", (protocol, authType) => {
  it("lists by UIDL after the cursor and streams dot-unstuffed MIME", async () => {
    const subject = uniqueName(`pop-${protocol}-${authType}`);
    await deliverMails(rig, alice, "INBOX", [subject]);
    const auth =
      authType === "oauth"
        ? oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail })
        : passwordFromRig(rig, "alice");
    const { session, steps } = await open(popSettings(protocol), auth);
    expect(steps.steps.filter((s) => !s.ok)).toEqual([]);
    expect(steps.steps.map((s) => s.name)).toEqual(
      expect.arrayContaining(["resolve", "connect", "tls", "authenticate", "open folder"]),
    );

    const first = await session.listNew(null);
    const fetched = await subjectsOf(
      session,
      first.messages.map((m) => m.id),
    );
    const raw = fetched.get(subject);
    expect(raw).toBeDefined();
    // "..line" on the wire is ".line" in the message
    expect(raw).toMatch(/\r\n\.line starting with a dot\r\n/);
    // The same session lists nothing it already listed; a new session (as the next fetch) sees the new mail.
    const again = await session.listNew(first.nextCursor);
    const firstIds = new Set(first.messages.map((m) => m.id));
    expect(again.messages.filter((m) => firstIds.has(m.id))).toEqual([]);
    await session.close();
    const later = uniqueName("pop-later");
    await deliverMails(rig, alice, "INBOX", [later]);
    const { session: next } = await open(popSettings(protocol), auth);
    const fresh = await next.listNew(first.nextCursor);
    expect(fresh.messages.filter((m) => firstIds.has(m.id))).toEqual([]);
    expect(
      (
        await subjectsOf(
          next,
          fresh.messages.map((m) => m.id),
        )
      ).has(later),
    ).toBe(true);
  });
});

describe("Exchange Online POP3", () => {
  it("authenticates with the two-line AUTH XOAUTH2 and fetches", async () => {
    const subject = uniqueName("exchange-pop");
    await deliverMails(rig, alice, "INBOX", [subject]);
    const transcript = new TranscriptRecorder();
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookPop });
    const { session } = await open(
      popSettings("pops", { host: rig.exchange.host, port: rig.exchange.pop3TlsPort }),
      auth,
      transcript,
    );
    const listed = await session.listNew(null);
    expect(
      (
        await subjectsOf(
          session,
          listed.messages.map((m) => m.id),
        )
      ).has(subject),
    ).toBe(true);
    const text = transcript.text();
    expect(text).toMatch(/C: AUTH XOAUTH2\n/);
    expect(text).toMatch(/S: \+ ?\n.*C: \[redacted\]/s);
  });

  it("reads with TOP where CAPA offers it, and with RETR (fetching, not read-only) where it does not", async () => {
    const subject = uniqueName("pop-top-or-retr");
    await deliverMails(rig, alice, "INBOX", [subject]);
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookPop });
    for (const [port, command] of [
      [rig.exchange.pop3TlsPort, "TOP"],
      [rig.exchange.pop3NoTopTlsPort, "RETR"],
    ] as const) {
      const transcript = new TranscriptRecorder();
      const { session } = await open(popSettings("pops", { host: rig.exchange.host, port }), auth, transcript);
      const listed = await session.listNew(null);
      const raw = (
        await subjectsOf(
          session,
          listed.messages.map((m) => m.id),
        )
      ).get(subject);
      expect(raw, command).toMatch(/\r\n\.line starting with a dot\r\n$/);
      expect(transcript.text()).toMatch(new RegExp(`C: ${command} \\d+`));
    }
  });

  it("the one-line form is what Exchange refuses (and the hint says so)", async () => {
    const token = (await oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookPop }).getToken()).accessToken;
    const steps = new StepRecorder();
    const client = await Pop3Client.connect({
      host: rig.exchange.host,
      port: rig.exchange.pop3TlsPort,
      ca: rig.ca,
      security: "tls",
      steps,
    });
    const payload = Buffer.from(`user=${alice}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
    const error = await steps
      .run("authenticate", () => client.simple(`AUTH XOAUTH2 ${payload}`, { display: "AUTH XOAUTH2" }))
      .catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(MailStepError);
    expect((error as MailStepError).raw).toMatch(/-ERR Protocol error.*10/);
    expect((error as MailStepError).hint?.code).toBe("pop.one_line_xoauth2");
  });

  it("refuses basic auth, at the authenticate step", async () => {
    const steps = new StepRecorder();
    const error = await new Pop3Source(
      popSettings("pops", { host: rig.exchange.host, port: rig.exchange.pop3TlsPort }),
      passwordFromRig(rig, "alice"),
    )
      .connect({ steps })
      .catch((e: unknown) => e);
    expect((error as MailStepError).step).toBe("authenticate");
    expect((error as MailStepError).hint?.code).toBe("imap.auth_failed");
  });
});

describe("a server that takes only the one-line XOAUTH2", () => {
  let server: net.Server | undefined;
  afterEach(() => server?.close());

  it("falls back to the one-line form after a plain -ERR", async () => {
    const seen: string[] = [];
    server = net.createServer((socket) => {
      socket.write("+OK ready\r\n");
      let buffer = "";
      socket.on("data", (chunk) => {
        buffer += chunk.toString();
        let end: number;
        while ((end = buffer.indexOf("\r\n")) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          seen.push(line);
          if (line === "CAPA") socket.write("+OK\r\nUIDL\r\nSASL XOAUTH2\r\n.\r\n");
          else if (line === "AUTH XOAUTH2") socket.write("-ERR initial response required\r\n");
          else if (line.startsWith("AUTH XOAUTH2 ")) socket.write("+OK welcome\r\n");
          else if (line === "QUIT") socket.end("+OK bye\r\n");
          else socket.write("-ERR unknown\r\n");
        }
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const client = await Pop3Client.connect({ host: "127.0.0.1", port, security: "none", steps: new StepRecorder() });
    await client.loginWithToken("user@example.org", "token-value-123", { host: "127.0.0.1", port });
    await client.quit();
    expect(seen[0]).toBe("CAPA");
    expect(seen[1]).toBe("AUTH XOAUTH2");
    expect(seen[2]).toMatch(/^AUTH XOAUTH2 [A-Za-z0-9+/=]+$/);
  });
});

describe("after fetch", () => {
  it("delete removes the message when the session ends; leave keeps it", async () => {
    const gone = uniqueName("pop-delete");
    const kept = uniqueName("pop-keep");
    await deliverMails(rig, alice, "INBOX", [gone, kept]);
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail });
    const { session } = await open(popSettings("pops"), auth);
    const listed = await session.listNew(null);
    const subjects = await subjectsOf(
      session,
      listed.messages.map((m) => m.id),
    );
    const ids = [...subjects.keys()];
    const idOf = (subject: string) => listed.messages[ids.indexOf(subject)].id;
    await session.applyAfterFetch(idOf(gone), { action: "delete" });
    await session.applyAfterFetch(idOf(kept), { action: "leave" });
    await expect(session.applyAfterFetch(idOf(kept), { action: "mark_read" })).rejects.toThrow(/POP3 cannot/);
    await session.close();
    const onServer = (await listMessages(rig, alice, "INBOX")).map((m) => m.subject);
    expect(onServer).not.toContain(gone);
    expect(onServer).toContain(kept);
  });

  it("only the INBOX exists", async () => {
    const auth = passwordFromRig(rig, "alice");
    const steps = new StepRecorder();
    const session = await new Pop3Source(popSettings("pops"), auth).connect({ steps });
    sessions.push(session);
    const error = (await session.openFolder("Archive").catch((e: unknown) => e)) as MailStepError;
    expect(error.step).toBe("open folder");
    expect(error.message).toMatch(/only the INBOX/);
  });
});

describe("batches", () => {
  it("pipelines RETR where the server offers PIPELINING and hands over the same bytes as RETR one by one", async () => {
    const mine = [uniqueName("pop-batch-a"), uniqueName("pop-batch-b"), uniqueName("pop-batch-c")];
    await deliverMails(rig, alice, "INBOX", mine);
    const transcript = new TranscriptRecorder({ secrets: [] });
    const { session } = await open(popSettings("pops"), passwordFromRig(rig, "alice"), transcript);
    const wanted = [];
    const single: string[] = [];
    for (const message of (await session.listNew(null)).messages) {
      const raw = await readAll(await session.fetchRaw(message.id));
      if (!mine.includes(/^Subject: (.*)$/m.exec(raw)?.[1].trim() ?? "")) continue;
      wanted.push(message);
      single.push(raw);
    }
    expect(wanted).toHaveLength(3);
    transcript.note("batch starts");
    const batch: string[] = [];
    await session.fetchBatch(wanted, ({ raw }) => void batch.push(raw.toString("utf8")));
    expect(batch).toEqual(single);
    // the three RETR commands went out before the first answer came back
    const lines = transcript
      .text()
      .split("\n")
      .map((l) => l.replace(/^\s*[\d.]+ /, ""));
    const start = lines.lastIndexOf("*: batch starts");
    expect(lines.slice(start + 1, start + 4).every((l) => l.startsWith("C: RETR"))).toBe(true);
  });

  it("reads the headers for an import since a date with TOP pipelined where the server offers PIPELINING", async () => {
    const mine = [uniqueName("pop-top-a"), uniqueName("pop-top-b"), uniqueName("pop-top-c")];
    await deliverMails(rig, alice, "INBOX", mine);
    const transcript = new TranscriptRecorder({ secrets: [] });
    const { session } = await open(popSettings("pops"), passwordFromRig(rig, "alice"), transcript);
    const uidls = new Map<string, string>();
    for (const message of (await session.listNew(null)).messages) {
      const subject = /^Subject: (.*)$/m.exec(await readAll(await session.fetchRaw(message.id)))?.[1].trim() ?? "";
      if (mine.includes(subject)) uidls.set(subject, message.id);
    }
    expect(uidls.size).toBe(3);
    transcript.note("baseline starts");
    const later = (await session.baseline({ since: new Date(Date.now() + 86_400_000) })) as Pop3Cursor;
    const earlier = (await session.baseline({ since: new Date("2000-01-01T00:00:00Z") })) as Pop3Cursor;
    // Received before tomorrow: older than that date; not older than 2000.
    for (const uidl of uidls.values()) {
      expect(later.seenUidls).toContain(uidl);
      expect(earlier.seenUidls).not.toContain(uidl);
    }
    // Several TOP commands went out before the first answer came back.
    const lines = transcript
      .text()
      .split("\n")
      .map((l) => l.replace(/^\s*[\d.]+ /, ""));
    const first = lines.findIndex((l, i) => i > lines.lastIndexOf("*: baseline starts") && l.startsWith("C: TOP"));
    expect(lines.slice(first, first + 3).every((l) => /^C: TOP \d+ 0$/.test(l))).toBe(true);
  });
});
