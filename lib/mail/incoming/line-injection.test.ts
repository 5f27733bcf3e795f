// CR, LF and NUL never reach a protocol line: the form schemas refuse them at the field, and the protocol
// clients refuse them again when the schema is bypassed — against Dovecot, where the injected DELE would
// delete the oldest mail of the maildrop.
import { describe, expect, it } from "vitest";
import { listMessages } from "@/e2e/rig/mailbox";
import { LINE_BREAK_MESSAGE } from "@/lib/net/client";
import { oauthFieldsSchema } from "@/lib/oauth/client";
import { mailboxFormSchema } from "./mailbox-form-schema";
import { sampleFetch } from "./sample-fetch";
import type { SourceSettings } from "./source";
import { deliverMails, sourceFrom, testRig, uniqueName } from "@/e2e/support/mail-fixtures";

const rig = testRig();
const bob = rig.auth.users.bob;
const alice = rig.auth.users.alice;

const mailboxForm = {
  name: "Support",
  protocol: "pop",
  authType: "password",
  host: rig.pop3.host,
  port: rig.pop3.port,
  username: bob.username,
  password: bob.password,
  emailAddresses: bob.username,
  folder: "INBOX",
  fetchIntervalMin: 5,
};

function fieldErrors(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.map(String).join("."), i.message]));
}

describe("the schemas refuse line breaks at the field", () => {
  it.each([
    ["username", `${bob.username}\r\nDELE 1`],
    ["username", `${bob.username}\nDELE 1`],
    ["password", "secret\r\nDELE 1"],
    ["password", "secret\0admin"],
    ["folder", "INBOX\r\nA1 DELETE INBOX"],
    ["host", "mail.example.com\r\nX"],
  ])("mailbox %s %j", (field, value) => {
    const result = mailboxFormSchema.safeParse({ ...mailboxForm, protocol: "imap", [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.filter((i) => i.path[0] === field).map((i) => i.message)).toContain(LINE_BREAK_MESSAGE);
  });

  it("mailbox move-to folder", () => {
    const result = mailboxFormSchema.safeParse({
      ...mailboxForm,
      protocol: "imap",
      afterFetch: "move",
      moveToFolder: "Done\r\nA1 EXPUNGE",
    });
    expect(fieldErrors(result).moveToFolder).toBe(LINE_BREAK_MESSAGE);
  });

  it.each(["loginHint", "subject", "password"])("OAuth %s", (field) => {
    const base = {
      preset: "generic",
      grantType: "password",
      clientId: "c",
      tokenUrl: "https://login.example.com/token",
      subject: "user@example.com",
      password: "x",
    };
    const result = oauthFieldsSchema.safeParse({ ...base, [field]: "user@example.com\r\nX-Injected: 1" });
    expect(fieldErrors(result)[field]).toBe(LINE_BREAK_MESSAGE);
  });
});

describe("the protocol clients refuse line breaks when the schema is bypassed", () => {
  const pop3 = (overrides: Partial<SourceSettings> = {}): SourceSettings => ({
    protocol: "pop",
    startTls: true,
    host: rig.pop3.host,
    port: rig.pop3.port,
    mailbox: bob.username,
    folder: "INBOX",
    ca: rig.ca,
    timeoutMs: 8000,
    ...overrides,
  });

  it("POP3: a user name carrying PASS, DELE and QUIT is not sent, and nothing is deleted", async () => {
    await deliverMails(rig, bob.username, "INBOX", [uniqueName("injection target")]);
    const before = await listMessages(rig, bob.username, "INBOX");
    const injected = `${bob.username}\r\nPASS ${bob.password}\r\nDELE 1\r\nQUIT`;
    const result = await sampleFetch(sourceFrom(pop3(), { type: "password", user: injected, password: bob.password }));
    expect(result).toMatchObject({
      ok: false,
      failedStep: "authenticate",
      error: "The user name contains a line break or NUL character, so it was not sent",
    });
    expect(await listMessages(rig, bob.username, "INBOX")).toEqual(before);
  });

  it("POP3: a password with a line break is not sent", async () => {
    const result = await sampleFetch(
      sourceFrom(pop3({ protocol: "pops", port: rig.pop3.tlsPort }), {
        type: "password",
        user: bob.username,
        password: `${bob.password}\r\nDELE 1`,
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      failedStep: "authenticate",
      error: "The password contains a line break or NUL character, so it was not sent",
    });
    if (!result.ok) expect(result.hint?.code).toBe("net.protocol_injection");
  });

  it("IMAP: a folder name or user name with a line break is refused at its step", async () => {
    const imaps = {
      ...pop3({ protocol: "imaps", host: rig.imap.host, port: rig.imap.tlsPort }),
      mailbox: alice.username,
    };
    const folder = await sampleFetch(
      sourceFrom(
        { ...imaps, folder: "INBOX\r\nA9 DELETE INBOX" },
        { type: "password", user: alice.username, password: alice.password },
      ),
    );
    expect(folder).toMatchObject({
      ok: false,
      failedStep: "open folder",
      error: "The folder name contains a line break or NUL character, so it was not sent",
    });
    const user = await sampleFetch(
      sourceFrom(imaps, { type: "password", user: `${alice.username}\r\nA9 LOGOUT`, password: alice.password }),
    );
    expect(user).toMatchObject({
      ok: false,
      failedStep: "authenticate",
      error: "The user name contains a line break or NUL character, so it was not sent",
    });
  });
});
