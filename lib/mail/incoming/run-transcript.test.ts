// A stored debug transcript says what it is (mailbox, server, protocol, time, who ran it) and keeps the IMAP
// server's data lines (FETCH answers), bounded, with every password and token still removed. Against the
// rig's Dovecot with a password and the Exchange-like IMAPS with an OAuth token.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { encodedForms, TranscriptRecorder } from "@/lib/mail/transcript";
import { sampleFetch } from "./sample-fetch";
import { deliverMails, oauthFromRig, SCOPES, sourceFrom, testRig, uniqueName } from "@/e2e/support/mail-fixtures";

vi.mock("./oauth-bridge", () => ({
  oauthAuth: () => {
    throw new Error("not used");
  },
  saveMailboxOAuth: async () => ({ connectionId: "unused", needsConsent: false }),
  forgetMailboxOAuth: async () => undefined,
  isAppOnly: async () => false,
}));

const rig = testRig();
const alice = rig.auth.users.alice;

let service: typeof import("./mailbox-service");
let database: typeof import("@/lib/db");
let schema: typeof import("./mailbox-form-schema");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  service = await import("./mailbox-service");
  database = await import("@/lib/db");
  schema = await import("./mailbox-form-schema");
});

describe("run transcripts", () => {
  it("a sample fetch's transcript is headed with mailbox, server, protocol, time and who ran it, and holds the FETCH data lines", async () => {
    const folder = uniqueName("Headed");
    await deliverMails(rig, alice.username, folder, [uniqueName("headed mail")]);
    const admin = await database.db().user.create({
      data: { email: `${uniqueName("runner")}@example.org`, name: "Rita Runner", passwordHash: "x", role: "admin" },
    });
    const values = schema.mailboxFormSchema.parse({
      name: "Headed support",
      protocol: "imaps",
      authType: "password",
      host: rig.imap.host,
      port: rig.imap.tlsPort,
      username: alice.username,
      password: alice.password,
      emailAddresses: alice.username,
      folder,
      fetchIntervalMin: 5,
      debug: true,
    });
    const result = await service.runSampleFetch(values, admin.id);
    expect(result.ok).toBe(true);
    const transcript = (await service.getRunTranscript(result.runId))!.transcript!;
    const lines = transcript.split("\n");
    expect(lines[0]).toBe("# Mailbridge debug transcript: Sample fetch");
    expect(transcript).toContain("# Mailbox:  Headed support");
    expect(transcript).toContain(`# Server:   ${rig.imap.host}:${rig.imap.tlsPort} (IMAPS, folder ${folder})`);
    expect(transcript).toMatch(/# Started:  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(transcript).toContain(`# Run by:   Rita Runner <${admin.email}>`);
    // the server's data lines: the FETCH answers, with the message body as a size marker
    expect(transcript).toMatch(/S: \* 1 FETCH \(UID \d+ RFC822\.SIZE \d+/);
    expect(transcript).toMatch(/S: \* 1 FETCH \(.*BODY\[\]<0> "\(\* \d+B literal \*\)"\)/);
    expect(transcript).not.toContain(alice.password);
  });

  it("with OAuth, data lines are kept and the token is removed from every line", async () => {
    const folder = uniqueName("TokenData");
    await deliverMails(rig, alice.username, folder, [uniqueName("token mail")]);
    const auth = oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail });
    const transcript = new TranscriptRecorder();
    const result = await sampleFetch(
      sourceFrom(
        {
          protocol: "imaps",
          startTls: true,
          host: rig.exchange.host,
          port: rig.exchange.imapTlsPort,
          mailbox: alice.username,
          folder,
          ca: rig.ca,
          timeoutMs: 20_000,
        },
        auth,
      ),
      { transcript },
    );
    expect(result.ok).toBe(true);
    const text = transcript.text();
    expect(text).toMatch(/S: \* 1 FETCH/);
    expect(auth.log.tokens.length).toBeGreaterThan(0);
    for (const token of auth.log.tokens) for (const form of encodedForms(token)) expect(text).not.toContain(form);
  });

  it("data lines are bounded per line and in total", () => {
    const transcript = new TranscriptRecorder({ maxBytes: 4096, maxLineChars: 100 });
    for (let i = 1; i <= 1000; i++) transcript.server(`* ${i} FETCH (UID ${i} FLAGS (\\Seen) ${"X".repeat(500)})`);
    const text = transcript.text();
    expect(Buffer.byteLength(text)).toBeLessThan(4096 + 200);
    expect(text).toMatch(/… \[\d+ more characters\]/);
    expect(text).toMatch(/transcript limit reached: \d+ more line\(s\) not kept/);
  });
});
