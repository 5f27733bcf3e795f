// IMAP against the rig: Dovecot (STARTTLS 143-style and implicit TLS), the Exchange-like front (XOAUTH2 only,
// BYE on token expiry), OAuth and password, shared mailbox, cursor, after-fetch actions on the server.
import { afterEach, describe, expect, it } from "vitest";
import { setTtl } from "@/e2e/rig/auth-client";
import { listFolders, listMessages } from "@/e2e/rig/mailbox";
import { TranscriptRecorder } from "@/lib/mail/transcript";
import { ImapSource } from "./imap-source";
import type { IncomingSession, SourceAuth, SourceSettings } from "./source";
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
const shared = rig.mailboxes.shared;

function imapSettings(
  protocol: "imap" | "imaps",
  folder: string,
  overrides: Partial<SourceSettings> = {},
): SourceSettings {
  return {
    protocol,
    startTls: true,
    host: rig.imap.host,
    port: protocol === "imaps" ? rig.imap.tlsPort : rig.imap.port,
    mailbox: alice,
    folder,
    ca: rig.ca,
    timeoutMs: 10_000,
    ...overrides,
  };
}

const sessions: IncomingSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function open(
  settings: SourceSettings,
  auth: SourceAuth,
  opts: { readOnly?: boolean; transcript?: TranscriptRecorder } = {},
) {
  const steps = new StepRecorder();
  const session = await new ImapSource(settings, auth).connect({ steps, transcript: opts.transcript });
  sessions.push(session);
  await session.openFolder(settings.folder, { readOnly: opts.readOnly });
  return { session, steps };
}

async function fetchSubjects(session: IncomingSession, ids: string[]): Promise<string[]> {
  const subjects: string[] = [];
  for (const id of ids) {
    const raw = await readAll(await session.fetchRaw(id));
    subjects.push(/^Subject: (.*)$/m.exec(raw)?.[1].trim() ?? "");
  }
  return subjects;
}

describe.each([
  ["imap", "oauth"],
  ["imaps", "oauth"],
  ["imap", "password"],
  ["imaps", "password"],
] as const)("%s with %s", (protocol, authType) => {
  it("lists new mail after the cursor and streams raw MIME", async () => {
    const folder = uniqueName(`Test-${protocol}-${authType}`);
    await deliverMails(rig, alice, folder, ["first", "second"]);
    const auth =
      authType === "oauth"
        ? oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail })
        : passwordFromRig(rig, "alice");
    const { session, steps } = await open(imapSettings(protocol, folder), auth);

    expect(steps.steps.map((s) => `${s.name}:${s.ok}`)).toEqual(
      expect.arrayContaining(["resolve:true", "connect:true", "tls:true", "authenticate:true", "open folder:true"]),
    );
    const first = await session.listNew(null);
    expect(
      await fetchSubjects(
        session,
        first.messages.map((m) => m.id),
      ),
    ).toEqual(["first", "second"]);
    expect(first.messages.every((m) => (m.size ?? m.sizeAtMost ?? 0) > 0)).toBe(true);

    expect((await session.listNew(first.nextCursor)).messages).toEqual([]);
    await deliverMails(rig, alice, folder, ["third"]);
    const next = await session.listNew(first.nextCursor);
    expect(
      await fetchSubjects(
        session,
        next.messages.map((m) => m.id),
      ),
    ).toEqual(["third"]);
  });
});

describe("shared mailbox", () => {
  it("logs in as the shared mailbox with the delegate's token", async () => {
    const folder = uniqueName("Shared");
    await deliverMails(rig, shared, folder, ["for the team"]);
    const auth = oauthFromRig(rig, { tokenUser: "alice", loginUser: shared, scope: SCOPES.mail });
    const { session } = await open(imapSettings("imaps", folder, { mailbox: shared }), auth);
    const listed = await session.listNew(null);
    expect(
      await fetchSubjects(
        session,
        listed.messages.map((m) => m.id),
      ),
    ).toEqual(["for the team"]);
  });

  it("refuses a user who is not a delegate, at the authenticate step, with a hint", async () => {
    const auth = oauthFromRig(rig, { tokenUser: "bob", loginUser: shared, scope: SCOPES.mail });
    const steps = new StepRecorder();
    const error = await new ImapSource(imapSettings("imaps", "INBOX", { mailbox: shared }), auth)
      .connect({ steps })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailStepError);
    expect((error as MailStepError).step).toBe("authenticate");
    expect((error as MailStepError).hint?.code).toBe("imap.auth_failed");
    expect(steps.steps.at(-1)).toMatchObject({ name: "authenticate", ok: false });
  });

  it("Exchange: a non-delegate is 'authenticated but not connected'", async () => {
    const auth = oauthFromRig(rig, { tokenUser: "bob", loginUser: shared, scope: SCOPES.outlookImap });
    const settings = imapSettings("imaps", "INBOX", {
      port: rig.exchange.imapTlsPort,
      host: rig.exchange.host,
      mailbox: shared,
    });
    const steps = new StepRecorder();
    // Exchange accepts the token, then refuses every command of the session.
    const error = (await new ImapSource(settings, auth).connect({ steps }).catch((e: unknown) => e)) as MailStepError;
    expect(error).toBeInstanceOf(MailStepError);
    expect(error.step).toBe("authenticate");
    expect(steps.steps.map((s) => `${s.name}:${s.ok}`)).toEqual([
      "resolve:true",
      "token:true",
      "connect:true",
      "tls:true",
      "authenticate:false",
    ]);
    expect(error.raw).toMatch(/User is authenticated but not connected/);
    expect(error.hint?.code).toBe("imap.not_connected");
  });
});

describe("Exchange-like IMAP", () => {
  it("fetches with XOAUTH2 from the Exchange front", async () => {
    const folder = uniqueName("Exch");
    await deliverMails(rig, alice, folder, ["via exchange"]);
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookImap, client: "ropcExpiry" });
    const transcript = new TranscriptRecorder();
    const { session } = await open(
      imapSettings("imaps", folder, { host: rig.exchange.host, port: rig.exchange.imapTlsPort }),
      auth,
      { transcript },
    );
    const listed = await session.listNew(null);
    expect(
      await fetchSubjects(
        session,
        listed.messages.map((m) => m.id),
      ),
    ).toEqual(["via exchange"]);
    expect(transcript.text()).toMatch(/AUTHENTICATE XOAUTH2/);
  });

  it("reconnects with a fresh token after BYE AccessTokenExpired", async () => {
    const folder = uniqueName("Expiry");
    await deliverMails(rig, alice, folder, ["before expiry", "after expiry"]);
    const clientId = rig.auth.clients.ropcExpiry.clientId;
    await setTtl(rig, 2, { clientId });
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookImap, client: "ropcExpiry" });
    const transcript = new TranscriptRecorder();
    let session: IncomingSession;
    try {
      // Margin 0: the session only learns of the expiry from the server's BYE.
      ({ session } = await open(
        imapSettings("imaps", folder, {
          host: rig.exchange.host,
          port: rig.exchange.imapTlsPort,
          tokenRenewMarginMs: 0,
        }),
        auth,
        { transcript },
      ));
    } finally {
      await setTtl(rig, 3600, { clientId });
    }
    const listed = await session.listNew(null);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(
      await fetchSubjects(
        session,
        listed.messages.map((m) => m.id),
      ),
    ).toEqual(["before expiry", "after expiry"]);
    expect(auth.log.tokens.length).toBe(2);
    expect(auth.log.forced).toBe(1);
    expect(transcript.text()).toMatch(/AccessTokenExpired/);
  });

  it("renews the session before the token expires", async () => {
    const folder = uniqueName("Renew");
    await deliverMails(rig, alice, folder, ["renewed"]);
    const clientId = rig.auth.clients.ropcExpiry.clientId;
    await setTtl(rig, 5, { clientId });
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookImap, client: "ropcExpiry" });
    const transcript = new TranscriptRecorder();
    let session: IncomingSession;
    try {
      ({ session } = await open(
        imapSettings("imaps", folder, {
          host: rig.exchange.host,
          port: rig.exchange.imapTlsPort,
          tokenRenewMarginMs: 4000,
        }),
        auth,
        { transcript },
      ));
    } finally {
      await setTtl(rig, 3600, { clientId });
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const listed = await session.listNew(null);
    expect(listed.messages).toHaveLength(1);
    expect(auth.log.tokens.length).toBe(2);
    expect(transcript.text()).toMatch(/expires soon/);
    expect(transcript.text()).not.toMatch(/AccessTokenExpired/);
  });
});

describe("after-fetch actions", () => {
  const auth = () => oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail });

  it("leave changes nothing, mark_read sets \\Seen", async () => {
    const folder = uniqueName("Mark");
    await deliverMails(rig, alice, folder, ["a", "b"]);
    const { session } = await open(imapSettings("imaps", folder), auth());
    const { messages } = await session.listNew(null);
    for (const m of messages) await readAll(await session.fetchRaw(m.id));
    await session.applyAfterFetch(messages[0].id, { action: "leave" });
    await session.applyAfterFetch(messages[1].id, { action: "mark_read" });
    const onServer = await listMessages(rig, alice, folder);
    expect(onServer.find((m) => m.subject === "a")?.flags).toEqual([]);
    expect(onServer.find((m) => m.subject === "b")?.flags).toContain("\\Seen");
  });

  it("move puts the message into the target folder", async () => {
    const folder = uniqueName("Move");
    const target = `${folder}-done`;
    await deliverMails(rig, alice, folder, ["to move"]);
    await deliverMails(rig, alice, target, []);
    const { session } = await open(imapSettings("imaps", folder), auth());
    const { messages } = await session.listNew(null);
    await session.applyAfterFetch(messages[0].id, { action: "move", moveToFolder: target });
    expect(await listMessages(rig, alice, folder)).toEqual([]);
    expect((await listMessages(rig, alice, target)).map((m) => m.subject)).toEqual(["to move"]);
    expect(await listFolders(rig, alice)).toContain(target);
  });

  it("delete removes the message", async () => {
    const folder = uniqueName("Delete");
    await deliverMails(rig, alice, folder, ["to delete", "to keep"]);
    const { session } = await open(imapSettings("imap", folder), auth());
    const { messages } = await session.listNew(null);
    await session.applyAfterFetch(messages[0].id, { action: "delete" });
    expect((await listMessages(rig, alice, folder)).map((m) => m.subject)).toEqual(["to keep"]);
  });
});
