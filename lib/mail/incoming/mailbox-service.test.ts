// The mailbox service with a database of its own: a blank password keeps the stored one, verification connects
// for real, a sample fetch with unsaved settings is recorded, and a debug transcript never holds the password.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { deliverMails, testRig, uniqueName } from "@/e2e/support/mail-fixtures";

// The OAuth concern is not needed for password mailboxes.
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

function form(overrides: Record<string, unknown> = {}) {
  return schema.mailboxFormSchema.parse({
    name: "Support",
    protocol: "imaps",
    authType: "password",
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    username: alice.username,
    password: alice.password,
    emailAddresses: `${alice.username}, help@rig.test`,
    folder: "INBOX",
    fetchIntervalMin: 5,
    debug: true,
    ...overrides,
  });
}

describe("mailbox service", () => {
  it("saves, keeps the stored password when the field is blank, and verifies for real", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    const stored = await database.db().incomingMailbox.findUnique({ where: { id } });
    expect(stored?.password).toBe(alice.password);
    expect(JSON.parse(stored!.emailAddresses)).toEqual([alice.username, "help@rig.test"]);

    await service.saveMailbox(form({ id, password: "", name: "Support desk" }), "admin-1");
    const again = await database.db().incomingMailbox.findUnique({ where: { id } });
    expect(again?.password).toBe(alice.password);
    expect(again?.name).toBe("Support desk");
    expect(await service.getMailboxForEdit(id)).not.toHaveProperty("password");

    const verified = await service.verifyMailbox(id, "admin-1");
    expect(verified).toMatchObject({ ok: true, message: `Connected to ${rig.imap.host} as ${alice.username}` });
    const run = await database.db().fetchRun.findUnique({ where: { id: verified.runId } });
    expect(run?.kind).toBe("connect_check");
    expect(run?.transcript).toMatch(/C: /);
    expect(run?.transcript).not.toContain(alice.password);
    expect(run?.transcript).not.toContain(Buffer.from(`\0${alice.username}\0${alice.password}`).toString("base64"));
    expect((await database.db().incomingMailbox.findUnique({ where: { id } }))?.status).toBe("ok");
  });

  it("a failed verification stores the error with its hint", async () => {
    const { id } = await service.saveMailbox(form({ host: "no-such-server.invalid" }), "admin-1");
    const verified = await service.verifyMailbox(id, "admin-1");
    expect(verified).toMatchObject({ ok: false, failedStep: "resolve" });
    const row = await database.db().incomingMailbox.findUnique({ where: { id } });
    expect(row?.status).toBe("failing");
    expect(JSON.parse(row!.lastErrorHint!).code).toBe("net.not_found");
  });

  it("fetches a sample with unsaved settings (blank password = the stored one) and records the run", async () => {
    const folder = uniqueName("Svc");
    await deliverMails(rig, alice.username, folder, ["service sample"]);
    const { id } = await service.saveMailbox(form(), "admin-1");
    const result = await service.runSampleFetch(form({ id, password: "", folder }), "admin-1");
    expect(result.ok && result.mail?.subject).toBe("service sample");
    const runs = await service.listRuns({ mailboxId: id });
    expect(runs.find((r) => r.id === result.runId)).toMatchObject({ kind: "sample", ok: true, mailsFetched: 1 });
    const transcript = await service.getRunTranscript(result.runId);
    expect(transcript?.transcript).not.toContain(alice.password);
  });

  it("a stored mailbox missing a field its protocol needs fails the check and the fetcher's parse, naming it", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    await database.db().incomingMailbox.update({ where: { id }, data: { host: "" } });
    const verified = await service.verifyMailbox(id, "admin-1");
    expect(verified).toMatchObject({ ok: false, error: "The mailbox settings are incomplete: the server is missing." });
    const row = await database.db().incomingMailbox.findUnique({ where: { id } });
    await expect(service.sourceConfigForMailbox(row!)).rejects.toMatchObject({ options: { field: "host" } });
    await database.db().incomingMailbox.update({ where: { id }, data: { host: rig.imap.host } });
    await expect(service.sourceConfigForMailbox({ ...row!, host: rig.imap.host })).resolves.toMatchObject({
      protocol: "imap",
      security: "tls",
      auth: { type: "password", user: alice.username },
    });
  });

  it("deletes a mailbox with its fetch history", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    const verified = await service.verifyMailbox(id, "admin-1");
    await service.deleteMailbox(id);
    expect(await database.db().incomingMailbox.findUnique({ where: { id } })).toBeNull();
    expect(await database.db().fetchRun.findUnique({ where: { id: verified.runId } })).toBeNull();
    await expect(service.deleteMailbox(id)).rejects.toThrow("no longer exists");
  });

  it("prunes transcripts older than the debug-log days", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    const old = await database.db().fetchRun.create({
      data: {
        mailboxId: id,
        kind: "fetch",
        startedAt: new Date(Date.now() - 40 * 24 * 3600 * 1000),
        transcript: "old",
        transcriptBytes: 3,
      },
    });
    const { pruneTranscripts } = await import("@/lib/mail/transcript");
    expect(await pruneTranscripts({ mailboxId: id })).toBeGreaterThanOrEqual(1);
    expect((await database.db().fetchRun.findUnique({ where: { id: old.id } }))?.transcript).toBeNull();
  });
});

describe("mailbox form schema", () => {
  it("rejects what cannot work, at the field", () => {
    const result = schema.mailboxFormSchema.safeParse({
      // blank would be the first address; too long is refused
      name: "x".repeat(101),
      protocol: "pops",
      authType: "password",
      host: "",
      port: 70000,
      username: "x",
      password: "",
      emailAddresses: "not-an-address",
      folder: "Archive",
      afterFetch: "move",
      fetchIntervalMin: 0,
    });
    expect(result.success).toBe(false);
    const fields = new Set(result.error!.issues.map((i) => String(i.path[0])));
    for (const field of [
      "name",
      "host",
      "port",
      "emailAddresses",
      "folder",
      "afterFetch",
      "fetchIntervalMin",
      "password",
    ])
      expect(fields).toContain(field);
  });
});
