// Microsoft Graph and EWS adapters against the rig's doubles: real mail from Dovecot mailboxes, delta links and
// sync states as cursors, shared mailboxes, app-only impersonation, after-fetch actions, wrong-token hints.
import { afterEach, describe, expect, it } from "vitest";
import { listMessages } from "@/e2e/rig/mailbox";
import { EwsSource } from "./ews-source";
import { exchangeOnlineEwsWarning } from "./ews-soap";
import { GraphSource } from "./graph-source";
import type { IncomingSession, IncomingSource, SourceAuth, SourceSettings } from "./source";
import { MailStepError, StepRecorder } from "./steps";
import {
  appOnlyFromRig,
  deliverMails,
  microsoftSettings,
  oauthFromRig,
  readAll,
  SCOPES,
  testRig,
  uniqueName,
} from "@/e2e/support/mail-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;
const shared = rig.mailboxes.shared;

type Kind = "graph" | "ews";

function settingsFor(kind: Kind, folder: string, overrides: Partial<SourceSettings> = {}): SourceSettings {
  return microsoftSettings(rig, kind, folder, overrides);
}

function sourceFor(kind: Kind, settings: SourceSettings, auth: SourceAuth): IncomingSource {
  return kind === "graph" ? new GraphSource(settings, auth) : new EwsSource(settings, auth);
}

const scopeFor = (kind: Kind) => (kind === "graph" ? SCOPES.graph : SCOPES.ews);

const sessions: IncomingSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function open(kind: Kind, settings: SourceSettings, auth: SourceAuth) {
  const steps = new StepRecorder();
  const session = await sourceFor(kind, settings, auth).connect({ steps });
  sessions.push(session);
  await session.openFolder(settings.folder);
  return { session, steps };
}

async function subjects(session: IncomingSession, ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) out.push(/^Subject: (.*)$/m.exec(await readAll(await session.fetchRaw(id)))?.[1].trim() ?? "");
  return out;
}

describe.each(["graph", "ews"] as const)("%s", (kind) => {
  it("fetches real mail and follows the delta/sync cursor", async () => {
    const folder = uniqueName(`${kind}-delta`);
    await deliverMails(rig, alice, folder, ["one", "two"]);
    const { session, steps } = await open(
      kind,
      settingsFor(kind, folder),
      oauthFromRig(rig, { tokenUser: "alice", scope: scopeFor(kind) }),
    );
    expect(steps.steps.map((s) => `${s.name}:${s.ok}`)).toEqual(
      expect.arrayContaining([
        "token:true",
        "resolve:true",
        "connect:true",
        "tls:true",
        "authenticate:true",
        "open folder:true",
      ]),
    );
    const first = await session.listNew(null);
    expect(first.nextCursor.protocol).toBe(kind);
    expect(
      (
        await subjects(
          session,
          first.messages.map((m) => m.id),
        )
      ).sort(),
    ).toEqual(["one", "two"]);
    expect((await session.listNew(first.nextCursor)).messages).toEqual([]);
    await deliverMails(rig, alice, folder, ["three"]);
    const next = await session.listNew(first.nextCursor);
    expect(
      await subjects(
        session,
        next.messages.map((m) => m.id),
      ),
    ).toEqual(["three"]);
    const oldest = await session.oldest();
    expect(await subjects(session, [oldest!.id])).toEqual(["one"]);
  });

  it("mail it marked read is not new again; mail delivered afterwards is", async () => {
    const folder = uniqueName(`${kind}-read`);
    await deliverMails(rig, alice, folder, ["first", "second"]);
    const { session } = await open(
      kind,
      settingsFor(kind, folder),
      oauthFromRig(rig, { tokenUser: "alice", scope: scopeFor(kind) }),
    );
    const first = await session.listNew(null);
    expect(first.messages).toHaveLength(2);
    for (const { id } of first.messages) await session.applyAfterFetch(id, { action: "mark_read" });
    const afterRead = await session.listNew(first.nextCursor);
    expect(afterRead.messages).toEqual([]);
    await deliverMails(rig, alice, folder, ["third"]);
    const later = await session.listNew(afterRead.nextCursor);
    expect(
      await subjects(
        session,
        later.messages.map((m) => m.id),
      ),
    ).toEqual(["third"]);
    expect((await session.listNew(later.nextCursor)).messages).toEqual([]);
  });

  it("opens a shared mailbox with the delegate's token", async () => {
    const folder = uniqueName(`${kind}-shared`);
    await deliverMails(rig, shared, folder, ["team mail"]);
    const { session } = await open(
      kind,
      settingsFor(kind, folder, { mailbox: shared }),
      oauthFromRig(rig, { tokenUser: "alice", scope: scopeFor(kind) }),
    );
    const listed = await session.listNew(null);
    expect(
      await subjects(
        session,
        listed.messages.map((m) => m.id),
      ),
    ).toEqual(["team mail"]);
  });

  it("refuses a token for another resource at the authenticate step, with a hint", async () => {
    const wrongScope = kind === "graph" ? SCOPES.ews : SCOPES.graph;
    const steps = new StepRecorder();
    const error = (await sourceFor(
      kind,
      settingsFor(kind, "inbox"),
      oauthFromRig(rig, { tokenUser: "alice", scope: wrongScope }),
    )
      .connect({ steps })
      .catch((e: unknown) => e)) as MailStepError;
    expect(error).toBeInstanceOf(MailStepError);
    expect(error.step).toBe("authenticate");
    expect(error.raw).toMatch(/401/);
    expect(error.hint?.code).toBe("http.invalid_audience");
  });

  it("after-fetch: mark as read, move, delete do what they say", async () => {
    const folder = uniqueName(`${kind}-after`);
    const target = `${folder}-done`;
    await deliverMails(rig, alice, folder, ["read me", "move me", "delete me"]);
    await deliverMails(rig, alice, target, []);
    const { session } = await open(
      kind,
      settingsFor(kind, folder),
      oauthFromRig(rig, { tokenUser: "alice", scope: scopeFor(kind) }),
    );
    const { messages } = await session.listNew(null);
    const names = await subjects(
      session,
      messages.map((m) => m.id),
    );
    const idOf = (subject: string) => messages[names.indexOf(subject)].id;
    await session.applyAfterFetch(idOf("read me"), { action: "mark_read" });
    await session.applyAfterFetch(idOf("move me"), { action: "move", moveToFolder: target });
    await session.applyAfterFetch(idOf("delete me"), { action: "delete" });
    const left = await listMessages(rig, alice, folder);
    expect(left.map((m) => m.subject)).toEqual(["read me"]);
    expect(left[0].flags).toContain("\\Seen");
    expect((await listMessages(rig, alice, target)).map((m) => m.subject)).toEqual(["move me"]);
    expect((await listMessages(rig, alice, "Trash")).map((m) => m.subject)).toContain("delete me");
  });
});

describe("Graph specifics", () => {
  it("after an expired delta token the full resync lists only mail it had not listed", async () => {
    const folder = uniqueName("graph-resync");
    await deliverMails(rig, alice, folder, ["listed before"]);
    const { session } = await open(
      "graph",
      settingsFor("graph", folder),
      oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.graph }),
    );
    const first = await session.listNew(null);
    expect(first.messages).toHaveLength(1);
    await deliverMails(rig, alice, folder, ["arrived meanwhile"]);
    if (first.nextCursor.protocol !== "graph") throw new Error("not a Graph cursor");
    const expired = {
      ...first.nextCursor,
      deltaLink: first.nextCursor.deltaLink.replace(/\$deltatoken=[^&]+/, "$deltatoken=expired"),
    };
    const after = await session.listNew(expired);
    expect(
      await subjects(
        session,
        after.messages.map((m) => m.id),
      ),
    ).toEqual(["arrived meanwhile"]);
  });
});

describe("EWS specifics", () => {
  it("an app-only token reads the mailbox through ExchangeImpersonation", async () => {
    const folder = uniqueName("ews-app");
    await deliverMails(rig, alice, folder, ["app only"]);
    const auth = appOnlyFromRig(rig, { mailbox: alice, scope: "https://outlook.office365.com/.default" });
    const { session } = await open("ews", settingsFor("ews", folder, { impersonate: true }), auth);
    const listed = await session.listNew(null);
    expect(
      await subjects(
        session,
        listed.messages.map((m) => m.id),
      ),
    ).toEqual(["app only"]);
  });

  it("warns about EWS retirement for Exchange Online only", () => {
    expect(exchangeOnlineEwsWarning("https://outlook.office365.com/EWS/Exchange.asmx")).toMatch(
      /October 2026.*April 2027.*Graph/,
    );
    expect(exchangeOnlineEwsWarning("https://mail.example.org/EWS/Exchange.asmx")).toBeNull();
  });
});
