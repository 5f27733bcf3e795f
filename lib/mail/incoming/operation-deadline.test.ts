// A sample fetch or connection check ends by its deadline even when the server greets and then says nothing
// (a fake IMAP server on loopback that never answers a command).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRecordingServer, type RecordingServer } from "@/e2e/support/recording-server";
import { useTestDatabase } from "@/e2e/support/test-db";

vi.mock("./oauth-bridge", () => ({
  oauthAuth: () => {
    throw new Error("not used");
  },
  saveMailboxOAuth: async () => ({ connectionId: "unused", needsConsent: false }),
  requireRetypedGrantSecret: () => undefined,
  forgetMailboxOAuth: async () => undefined,
  isAppOnly: async () => false,
}));

let silent: RecordingServer;
let service: typeof import("./mailbox-service");
let schema: typeof import("./mailbox-form-schema");

beforeAll(async () => {
  await useTestDatabase();
  silent = await startRecordingServer({ reply: () => null });
  service = await import("./mailbox-service");
  schema = await import("./mailbox-form-schema");
});
afterAll(() => silent.stop());

const form = () =>
  schema.mailboxFormSchema.parse({
    name: "Silent",
    protocol: "imap",
    startTls: false,
    authType: "password",
    host: "127.0.0.1",
    port: silent.port,
    username: "user@example.test",
    password: "typed",
    emailAddresses: "user@example.test",
    folder: "INBOX",
    fetchIntervalMin: 5,
  });

describe("whole-operation deadlines", () => {
  it("the sample fetch gives up at its deadline with a clear step error", async () => {
    const started = Date.now();
    const result = await service.runSampleFetch(form(), "admin-1", { deadlineMs: 1500 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({
      ok: false,
      error: "The sample fetch did not finish within 2 s",
      hint: { code: "net.timeout" },
    });
    expect(silent.lines.some((line) => /LOGIN|AUTHENTICATE/i.test(line))).toBe(true);
  });

  it("the connection check gives up at its deadline and records the failure", async () => {
    const { id } = await service.saveMailbox(form(), "admin-1");
    const result = await service.verifyMailbox(id, "admin-1", { deadlineMs: 1500 });
    expect(result).toMatchObject({
      ok: false,
      failedStep: "connect",
      error: "Checking the connection did not finish within 2 s",
    });
  });
});
