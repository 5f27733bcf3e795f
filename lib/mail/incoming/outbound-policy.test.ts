// "Fetch a sample mail" under the outbound policy: refused targets fail at the resolve step before any
// connection (a recording server on loopback counts connections), the answer is the same whether the port is
// open or closed, and through a proxy a name is handed on unresolved while a refused literal never leaves.
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startConnectProxy, type TestProxy } from "@/e2e/support/connect-proxy";
import { startRecordingServer, type RecordingServer } from "@/e2e/support/recording-server";
import { useTestDatabase } from "@/e2e/support/test-db";
import { resetConfigForTests } from "@/lib/config";
import { sampleFetch } from "./sample-fetch";
import type { SourceSettings } from "./source";
import { sourceFrom, testRig } from "@/e2e/support/mail-fixtures";

vi.mock("./oauth-bridge", () => ({
  oauthAuth: () => {
    throw new Error("not used");
  },
  saveMailboxOAuth: async () => ({ connectionId: "unused", needsConsent: false }),
  requireRetypedGrantSecret: () => undefined,
  forgetMailboxOAuth: async () => undefined,
  isAppOnly: async () => false,
}));

const rig = testRig();
const alice = rig.auth.users.alice;
let fake: RecordingServer;
let service: typeof import("./mailbox-service");
let schema: typeof import("./mailbox-form-schema");

function use(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfigForTests();
}

beforeAll(async () => {
  await useTestDatabase();
  fake = await startRecordingServer();
  service = await import("./mailbox-service");
  schema = await import("./mailbox-form-schema");
});
afterAll(() => fake.stop());
afterEach(() => use({ MAILBRIDGE_OUTBOUND_NETWORKS: "loopback", PORT: undefined, MAILBRIDGE_HTTPS_PROXY: undefined }));

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function form(overrides: Record<string, unknown>) {
  return schema.mailboxFormSchema.parse({
    name: "Probe",
    protocol: "imap",
    startTls: false,
    authType: "password",
    host: "127.0.0.1",
    port: 143,
    username: alice.username,
    password: "typed-password",
    emailAddresses: alice.username,
    folder: "INBOX",
    fetchIntervalMin: 5,
    ...overrides,
  });
}

describe("the sample fetch refuses targets outside the policy, before connecting", () => {
  it.each([
    ["2130706433", /^2130706433 means 127\.0\.0\.1; 127\.0\.0\.1 is a loopback address/],
    ["0x7f.1", /^0x7f\.1 means 127\.0\.0\.1; .*loopback/],
    ["0177.0.0.1", /^0177\.0\.0\.1 means 127\.0\.0\.1; .*loopback/],
    ["0", /^0 means 0\.0\.0\.0; 0\.0\.0\.0 is the unspecified address: Mailbridge does not connect there$/],
    ["localhost", /^localhost resolves to .* is a loopback address/],
    ["127.0.0.1", /^127\.0\.0\.1 is a loopback address/],
  ])("the default policy refuses %s at the resolve step", async (host, message) => {
    use({ MAILBRIDGE_OUTBOUND_NETWORKS: undefined });
    const before = fake.connections;
    const result = await service.runSampleFetch(form({ host, port: fake.port }), "admin-1");
    expect(result).toMatchObject({ ok: false, failedStep: "resolve", hint: { code: "net.refused_by_policy" } });
    if (!result.ok) expect(result.error).toMatch(message);
    expect(fake.connections).toBe(before);
  });

  it("metadata and link-local addresses are refused whatever the policy allows", async () => {
    for (const [host, message] of [
      ["169.254.169.254", "169.254.169.254 is a link-local address: Mailbridge does not connect there"],
      [
        "[::ffff:a9fe:a9fe]",
        "::ffff:a9fe:a9fe is a link-local address (it carries 169.254.169.254): Mailbridge does not connect there",
      ],
      ["fd00:ec2::254", "fd00:ec2::254 is a cloud metadata address: Mailbridge does not connect there"],
      ["100.100.100.200", "100.100.100.200 is a cloud metadata address: Mailbridge does not connect there"],
    ]) {
      const result = await service.runSampleFetch(form({ host, port: 80 }), "admin-1");
      expect(result).toMatchObject({ ok: false, failedStep: "resolve", error: message });
    }
  });

  it("an open and a closed port of a refused host give the same answer", async () => {
    use({ MAILBRIDGE_OUTBOUND_NETWORKS: "public" });
    const open = await service.runSampleFetch(form({ protocol: "pop", host: "127.0.0.1", port: fake.port }), "admin-1");
    const closed = await service.runSampleFetch(
      form({ protocol: "pop", host: "127.0.0.1", port: await closedPort() }),
      "admin-1",
    );
    const answer = (r: typeof open) =>
      r.ok
        ? null
        : {
            failedStep: r.failedStep,
            error: r.error,
            raw: r.raw,
            hint: r.hint,
            steps: r.steps.map((s) => ({ ...s, ms: 0 })),
          };
    expect(answer(open)).toEqual(answer(closed));
    expect(open.ok).toBe(false);
  });

  it("the console's own port is refused even with loopback allowed", async () => {
    use({ MAILBRIDGE_OUTBOUND_NETWORKS: "loopback", PORT: String(fake.port) });
    const before = fake.connections;
    const result = await service.runSampleFetch(form({ host: "localhost", port: fake.port }), "admin-1");
    expect(result).toMatchObject({ ok: false, failedStep: "resolve" });
    if (!result.ok) expect(result.error).toMatch(/this console's own listener: Mailbridge does not connect there/);
    expect(fake.connections).toBe(before);
  });

  it("Graph: a Connect URL on a metadata address is refused before any request", async () => {
    const settings: SourceSettings = {
      protocol: "graph",
      startTls: true,
      host: "",
      port: 443,
      connectUrl: "https://[::ffff:169.254.169.254]/v1.0",
      mailbox: alice.username,
      folder: "Inbox",
      ca: rig.ca,
      timeoutMs: 5000,
    };
    const result = await sampleFetch(
      sourceFrom(settings, { type: "oauth", user: alice.username, getToken: async () => ({ accessToken: "t" }) }),
    );
    expect(result).toMatchObject({ ok: false, failedStep: "resolve", hint: { code: "net.refused_by_policy" } });
    if (!result.ok) expect(result.error).toMatch(/link-local address \(it carries 169\.254\.169\.254\)/);
  });
});

describe("through a proxy", () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy();
  });
  afterAll(() => proxy.stop());

  it("a name is handed to the proxy unresolved; a refused literal never reaches it", async () => {
    use({ MAILBRIDGE_HTTPS_PROXY: proxy.url });
    const port = await closedPort();
    const named = await service.runSampleFetch(form({ protocol: "pops", host: "localhost", port }), "admin-1");
    expect(named.steps[0]).toMatchObject({
      name: "resolve",
      ok: true,
      detail: expect.stringContaining("resolved by the proxy"),
    });
    expect(proxy.seen).toContain(`CONNECT localhost:${port}`);
    const seen = proxy.seen.length;
    for (const protocol of ["pops", "imaps"]) {
      const literal = await service.runSampleFetch(form({ protocol, host: "169.254.169.254", port: 993 }), "admin-1");
      expect(literal).toMatchObject({
        ok: false,
        failedStep: "resolve",
        error: "169.254.169.254 is a link-local address: Mailbridge does not connect there",
      });
    }
    expect(proxy.seen.length).toBe(seen);
  });
});
