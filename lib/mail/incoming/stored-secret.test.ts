// A stored password or OAuth token goes only to the server it was saved for: a sample fetch, Save or
// verification with a changed protocol, host, port, STARTTLS or Connect URL sends nothing stored to a fake
// IMAP server on another loopback port (which records every line it receives).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRecordingServer, type RecordingServer } from "@/e2e/support/recording-server";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testRig } from "@/e2e/support/mail-fixtures";

const tokenRequests: string[] = [];
const STORED_TOKEN = "stored-access-token-of-alice";

vi.mock("./oauth-bridge", async (importOriginal) => {
  const original = await importOriginal<typeof import("./oauth-bridge")>();
  const { db } = await import("@/lib/db");
  const createConnection = async () => {
    const app = await db().oAuthApplication.create({ data: { name: "test app", preset: "generic", clientId: "c" } });
    return (await db().oAuthConnection.create({ data: { applicationId: app.id, grantType: "authorization_code" } })).id;
  };
  return {
    ...original,
    oauthAuth: (connectionId: string, user: string) => ({
      type: "oauth",
      user,
      getToken: async () => {
        tokenRequests.push(connectionId);
        return { accessToken: STORED_TOKEN, expiresAt: null };
      },
    }),
    saveMailboxOAuth: async (_input: unknown, opts: { existingConnectionId?: string | null }) => ({
      connectionId: opts.existingConnectionId ?? (await createConnection()),
      needsConsent: !opts.existingConnectionId,
    }),
    forgetMailboxOAuth: async () => undefined,
    isAppOnly: async () => false,
  };
});

const rig = testRig();
const alice = rig.auth.users.alice;
let fake: RecordingServer;
let service: typeof import("./mailbox-service");
let database: typeof import("@/lib/db");
let schema: typeof import("./mailbox-form-schema");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  fake = await startRecordingServer();
  service = await import("./mailbox-service");
  database = await import("@/lib/db");
  schema = await import("./mailbox-form-schema");
});
afterAll(() => fake.stop());

function form(overrides: Record<string, unknown> = {}) {
  return schema.mailboxFormSchema.parse({
    name: "Support",
    protocol: "imaps",
    authType: "password",
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    username: alice.username,
    password: alice.password,
    emailAddresses: alice.username,
    folder: "INBOX",
    fetchIntervalMin: 5,
    ...overrides,
  });
}

const toFake = { protocol: "imap", startTls: false, host: "127.0.0.1", port: 0 };
const received = () => fake.lines.join("\n");

describe("a stored password goes only where it was saved for", () => {
  it("a sample fetch with a changed server and a blank password is refused at the password field, before connecting", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    const before = fake.connections;
    for (const change of [
      { ...toFake, port: fake.port },
      { port: fake.port, protocol: "imap", startTls: true },
      { host: "localhost" },
      { protocol: "imap", port: 143 },
    ]) {
      await expect(service.runSampleFetch(form({ id, password: "", ...change }), "admin-1")).rejects.toMatchObject({
        options: { fieldErrors: { password: "The server changed: enter the password again" } },
      });
    }
    expect(fake.connections).toBe(before);
    expect(received()).not.toContain(Buffer.from(`\0${alice.username}\0${alice.password}`).toString("base64"));
  });

  it("Save with a changed server and a blank password is refused and the stored mailbox stays as it was", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    await expect(
      service.saveMailbox(form({ id, password: "", ...toFake, port: fake.port }), "admin-1"),
    ).rejects.toMatchObject({
      options: { fieldErrors: { password: "The server changed: enter the password again" } },
    });
    const row = await database.db().incomingMailbox.findUnique({ where: { id } });
    expect(row).toMatchObject({ host: rig.imap.host, port: rig.imap.tlsPort, password: alice.password });
    const verified = await service.verifyMailbox(id, "admin-1");
    expect(verified.ok).toBe(true);
  });

  it("a typed password may go to the new server; an unchanged server still reuses the stored one", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    const typed = "a-password-typed-for-the-new-server";
    const result = await service.runSampleFetch(form({ id, password: typed, ...toFake, port: fake.port }), "admin-1");
    expect(result.ok).toBe(false);
    expect(received()).not.toContain(alice.password);
    const same = await service.runSampleFetch(form({ id, password: "", host: rig.imap.host.toUpperCase() }), "admin-1");
    expect(same.ok).toBe(true);
  });
});

describe("a stored OAuth grant goes only where it was saved for", () => {
  const oauthFields = {
    preset: "generic",
    grantType: "authorization_code",
    clientId: "c",
    tokenUrl: rig.auth.tokenUrl,
    authorizeUrl: rig.auth.authorizeUrl,
    scope: "imap",
  };

  it("a sample fetch with a changed server never asks for the token", async () => {
    const { id } = await service.saveMailbox(form({ authType: "oauth", password: "", oauth: oauthFields }), "admin-1");
    tokenRequests.length = 0;
    const before = fake.connections;
    await expect(
      service.runSampleFetch(
        form({ id, authType: "oauth", password: "", oauth: oauthFields, ...toFake, port: fake.port }),
        "admin-1",
      ),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/^The server changed: save the mailbox and sign in again/),
      options: { field: "host" },
    });
    expect(tokenRequests).toEqual([]);
    expect(fake.connections).toBe(before);
    expect(received()).not.toContain(STORED_TOKEN);
  });

  it("Save with a changed server leaves the old connection and asks for a fresh consent", async () => {
    const { id, connectionId } = await service.saveMailbox(
      form({ authType: "oauth", password: "", oauth: oauthFields }),
      "admin-1",
    );
    const moved = await service.saveMailbox(
      form({ id, authType: "oauth", password: "", oauth: oauthFields, ...toFake, port: fake.port }),
      "admin-1",
    );
    expect(moved.connectionId).not.toBe(connectionId);
    expect(moved.needsConsent).toBe(true);
    const unchanged = await service.saveMailbox(
      form({ id, authType: "oauth", password: "", oauth: oauthFields, ...toFake, port: fake.port, name: "Renamed" }),
      "admin-1",
    );
    expect(unchanged.connectionId).toBe(moved.connectionId);
  });

  it("a grant without consent needs its secret typed again when the server changed", async () => {
    const appOnly = { ...oauthFields, grantType: "client_credentials", authorizeUrl: "" };
    const { id } = await service.saveMailbox(
      form({ authType: "oauth", password: "", oauth: { ...appOnly, clientSecret: "s3cret" } }),
      "admin-1",
    );
    await expect(
      service.saveMailbox(
        form({ id, authType: "oauth", password: "", oauth: appOnly, ...toFake, port: fake.port }),
        "admin-1",
      ),
    ).rejects.toMatchObject({
      options: { fieldErrors: { "oauth.clientSecret": "The server changed: enter the client secret again" } },
    });
  });
});
