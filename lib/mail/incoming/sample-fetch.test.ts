// "Fetch a sample mail" against the rig: the oldest mail is shown, nothing changes on the server, every failure
// the tests can provoke names its step and a hint, and the debug transcript never holds a credential.
import { randomBytes } from "node:crypto";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { deliver, ensureFolder, listMessages } from "@/e2e/rig/mailbox";
import { encodedForms, TranscriptRecorder } from "@/lib/mail/transcript";
import { sampleFetch } from "./sample-fetch";
import type { SourceAuth, SourceSettings } from "./source";
import {
  deliverMails,
  oauthFromRig,
  passwordFromRig,
  SCOPES,
  sourceFrom,
  testMail,
  testRig,
  uniqueName,
} from "@/e2e/support/mail-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;

const HTML_MAIL = (subject: string) =>
  [
    "From: Customer <customer@example.org>",
    "To: support@rig.test",
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(6).toString("hex")}@example.org>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "--outer",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    "--alt",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Plain body of the oldest mail",
    "--alt",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p onclick="steal()">Hello <b>there</b><script>alert(1)</script><img src="https://tracker.example/pixel.gif"><a href="javascript:alert(2)">x</a></p>',
    "--alt--",
    "--outer",
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("%PDF-1.4 fake").toString("base64"),
    "--outer--",
    "",
  ].join("\r\n");

function imaps(folder: string, overrides: Partial<SourceSettings> = {}): SourceSettings {
  return {
    protocol: "imaps",
    startTls: true,
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    mailbox: alice,
    folder,
    ca: rig.ca,
    timeoutMs: 8000,
    ...overrides,
  };
}

describe("sample fetch", () => {
  it("IMAP: shows the oldest mail (headers, text, safe HTML, attachments) and changes no flag", async () => {
    const folder = uniqueName("Sample");
    await ensureFolder(rig, alice, folder);
    await deliver(rig, alice, HTML_MAIL("the oldest one"), folder);
    await deliver(rig, alice, testMail("a newer one"), folder);
    const before = await listMessages(rig, alice, folder);

    const result = await sampleFetch(
      sourceFrom(imaps(folder), oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail })),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.steps.map((s) => s.name)).toEqual([
      "resolve",
      "token",
      "connect",
      "tls",
      "authenticate",
      "open folder",
      "fetch",
      "fetch",
    ]);
    expect(result.steps.find((s) => s.name === "open folder")?.detail).toMatch(/read-only/);
    const mail = result.mail!;
    expect(mail.subject).toBe("the oldest one");
    expect(mail.headers.map((h) => h.name.toLowerCase())).toEqual(
      expect.arrayContaining(["from", "subject", "message-id"]),
    );
    expect(mail.text).toContain("Plain body of the oldest mail");
    expect(mail.safeHtml).toContain("<b>there</b>");
    expect(mail.safeHtml).not.toMatch(/script|onclick|tracker\.example|javascript:/);
    expect(mail.attachments).toEqual([{ filename: "invoice.pdf", contentType: "application/pdf", size: 13 }]);

    expect(await listMessages(rig, alice, folder)).toEqual(before);
    expect(before.every((m) => !m.flags.includes("\\Seen"))).toBe(true);
  });

  it("POP3 (Exchange two-line XOAUTH2): reads the oldest mail and leaves the maildrop as it was", async () => {
    const subject = uniqueName("pop-sample");
    await deliverMails(rig, alice, "INBOX", [subject]);
    const before = await listMessages(rig, alice, "INBOX");
    const settings: SourceSettings = {
      ...imaps("INBOX"),
      protocol: "pops",
      host: rig.exchange.host,
      port: rig.exchange.pop3TlsPort,
    };
    const result = await sampleFetch(
      sourceFrom(settings, oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookPop })),
    );
    expect(result.ok).toBe(true);
    const after = await listMessages(rig, alice, "INBOX");
    // Other tests may add mail meanwhile; nothing that was there may be gone or changed.
    for (const message of before) expect(after).toContainEqual(message);
  });

  it.each([
    ["POP3 STLS (Dovecot)", "pop", () => rig.pop3.port],
    ["POP3S (Dovecot)", "pops", () => rig.pop3.tlsPort],
  ] as const)(
    "%s: reads the oldest mail with TOP, every \\Seen flag stays as it was",
    async (_name, protocol, port) => {
      await deliverMails(rig, alice, "INBOX", [uniqueName("pop-dovecot-sample")]);
      const before = await listMessages(rig, alice, "INBOX");
      expect(before.some((m) => !m.flags.includes("\\Seen"))).toBe(true);
      const transcript = new TranscriptRecorder();
      const settings: SourceSettings = { ...imaps("INBOX"), protocol, port: port() };
      const result = await sampleFetch(sourceFrom(settings, passwordFromRig(rig, "alice")), { transcript });
      expect(result.ok && result.mail?.subject).toBeTruthy();
      expect(result.steps.filter((s) => s.name === "fetch")[0].detail).toMatch(/^TOP message/);
      expect(transcript.text()).not.toMatch(/C: RETR/);
      const after = await listMessages(rig, alice, "INBOX");
      for (const message of before) expect(after).toContainEqual(message);
    },
  );

  it("POP3 without TOP: refuses to RETR (which marks read), explains, and leaves the maildrop as it was", async () => {
    await deliverMails(rig, alice, "INBOX", [uniqueName("pop-no-top-sample")]);
    const before = await listMessages(rig, alice, "INBOX");
    const settings: SourceSettings = {
      ...imaps("INBOX"),
      protocol: "pops",
      host: rig.exchange.host,
      port: rig.exchange.pop3NoTopTlsPort,
    };
    const transcript = new TranscriptRecorder();
    const result = await sampleFetch(
      sourceFrom(settings, oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookPop })),
      { transcript },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failedStep).toBe("fetch");
    expect(result.error).toMatch(/does not offer TOP.*marks it as read.*mailbox is unchanged/);
    expect(result.hint?.code).toBe("pop.no_top");
    expect(result.steps.filter((s) => s.ok).map((s) => s.name)).toEqual(
      expect.arrayContaining(["authenticate", "open folder"]),
    );
    expect(transcript.text()).not.toMatch(/C: (RETR|TOP)/);
    const after = await listMessages(rig, alice, "INBOX");
    for (const message of before) expect(after).toContainEqual(message);
  });

  it.each(["graph", "ews"] as const)("%s: reads the oldest mail with GETs only", async (kind) => {
    const folder = uniqueName(`${kind}-sample`);
    await deliverMails(rig, alice, folder, ["oldest via http", "newer via http"]);
    const before = await listMessages(rig, alice, folder);
    const settings: SourceSettings = {
      ...imaps(folder),
      protocol: kind,
      connectUrl: kind === "graph" ? rig.graph.baseUrl : rig.ews.url,
    };
    const result = await sampleFetch(
      sourceFrom(
        settings,
        oauthFromRig(rig, { tokenUser: "alice", scope: kind === "graph" ? SCOPES.graph : SCOPES.ews }),
      ),
    );
    expect(result.ok && result.mail?.subject).toBe("oldest via http");
    expect(await listMessages(rig, alice, folder)).toEqual(before);
  });

  it("an empty folder is a success without a mail", async () => {
    const folder = uniqueName("Empty");
    await ensureFolder(rig, alice, folder);
    const result = await sampleFetch(sourceFrom(imaps(folder), passwordFromRig(rig, "alice")));
    expect(result).toMatchObject({ ok: true, mail: null });
  });
});

describe("failures name the step and give a hint", () => {
  const oauth = () => oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail });

  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it.each([
    ["imaps", "resolve", "net.not_found", () => ({ host: "no-such-server.invalid" })],
    [
      "pops",
      "resolve",
      "net.not_found",
      () => ({ protocol: "pops" as const, host: "no-such-server.invalid", port: rig.pop3.tlsPort }),
    ],
    ["imaps", "tls", "tls.self_signed", () => ({ ca: undefined })],
    ["pops", "tls", "tls.self_signed", () => ({ protocol: "pops" as const, port: rig.pop3.tlsPort, ca: undefined })],
    ["imaps", "open folder", "folder.not_found", () => ({ folder: "No/Such/Folder" })],
  ] as const)("%s → fails at %s with %s", async (_protocol, step, hint, overrides) => {
    const result = await sampleFetch(sourceFrom({ ...imaps("INBOX"), ...overrides() }, oauth()));
    expect(result).toMatchObject({ ok: false, failedStep: step, hint: { code: hint } });
    expect(result.steps.at(-1)).toMatchObject({ name: step, ok: false });
  });

  it.each(["imaps", "pops"] as const)("%s: a refused port fails at connect", async (protocol) => {
    const port = await closedPort();
    const result = await sampleFetch(sourceFrom({ ...imaps("INBOX"), protocol, port }, oauth()));
    expect(result).toMatchObject({ ok: false, failedStep: "connect", hint: { code: "net.refused" } });
  });

  it.each(["imaps", "pops"] as const)("%s: a bad token fails at authenticate", async (protocol) => {
    const bad: SourceAuth = {
      type: "oauth",
      user: alice,
      getToken: async () => ({ accessToken: "not-a-valid-token-0123456789" }),
    };
    const port = protocol === "imaps" ? rig.imap.tlsPort : rig.pop3.tlsPort;
    const result = await sampleFetch(sourceFrom({ ...imaps("INBOX"), protocol, port }, bad));
    expect(result).toMatchObject({ ok: false, failedStep: "authenticate", hint: { code: "imap.auth_failed" } });
    if (!result.ok) expect(result.raw).toBeTruthy();
  });

  it("implicit TLS against a STARTTLS port fails at the TLS step", async () => {
    const result = await sampleFetch(sourceFrom(imaps("INBOX", { port: rig.imap.port }), oauth()));
    expect(result).toMatchObject({ ok: false, failedStep: "tls" });
  });
});

describe("the debug transcript never holds a credential", () => {
  type Case = [string, SourceSettings, SourceAuth & { log?: { tokens: string[] } }];
  const cases = (): Case[] => {
    const folder = "INBOX";
    return [
      ["IMAPS OAUTHBEARER (Dovecot)", imaps(folder), oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail })],
      [
        "IMAP STARTTLS password",
        imaps(folder, { protocol: "imap", port: rig.imap.port }),
        passwordFromRig(rig, "alice"),
      ],
      [
        "IMAPS XOAUTH2 (Exchange)",
        imaps(folder, { host: rig.exchange.host, port: rig.exchange.imapTlsPort }),
        oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookImap }),
      ],
      [
        "POP3 STLS XOAUTH2 (Dovecot)",
        imaps(folder, { protocol: "pop", port: rig.pop3.port }),
        oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail }),
      ],
      ["POP3S password", imaps(folder, { protocol: "pops", port: rig.pop3.tlsPort }), passwordFromRig(rig, "alice")],
      [
        "POP3S two-line XOAUTH2 (Exchange)",
        imaps(folder, { protocol: "pops", host: rig.exchange.host, port: rig.exchange.pop3TlsPort }),
        oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.outlookPop }),
      ],
      [
        "Graph",
        { ...imaps("inbox"), protocol: "graph", connectUrl: rig.graph.baseUrl },
        oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.graph }),
      ],
      [
        "EWS",
        { ...imaps("inbox"), protocol: "ews", connectUrl: rig.ews.url },
        oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.ews }),
      ],
    ];
  };

  it.each(cases().map((c) => [c[0], c] as const))("%s", async (_name, [, settings, auth]) => {
    await deliverMails(rig, alice, "INBOX", [uniqueName("transcript")]);
    const transcript = new TranscriptRecorder();
    const result = await sampleFetch(sourceFrom(settings, auth), { transcript });
    expect(result.ok).toBe(true);
    const text = transcript.text();
    expect(text).toMatch(/C: /);
    expect(text).toMatch(/S: /);
    const secrets: string[] = [];
    if (auth.type === "password") secrets.push(auth.password);
    else {
      const tokens = (auth as { log: { tokens: string[] } }).log.tokens;
      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) {
        secrets.push(token, token.slice(0, 40), token.slice(-40));
        secrets.push(Buffer.from(`user=${auth.user}\x01auth=Bearer ${token}\x01\x01`).toString("base64"));
        secrets.push(
          Buffer.from(
            `n,a=${auth.user},\x01host=${settings.host}\x01port=${settings.port}\x01auth=Bearer ${token}\x01\x01`,
          ).toString("base64"),
        );
      }
    }
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      for (const form of encodedForms(secret)) expect(text).not.toContain(form);
    }
    if (auth.type === "password")
      expect(text).not.toContain(Buffer.from(`\0${auth.user}\0${auth.password}`).toString("base64"));
  });
});
