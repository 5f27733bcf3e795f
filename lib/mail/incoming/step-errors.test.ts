// Server replies reach the page whole (the tagged line with its response code, a SASL challenge), and a
// failure inside Mailbridge itself is logged with an id and shown generically — against Dovecot and the
// Exchange-like front of the rig.
import { afterEach, describe, expect, it, vi } from "vitest";
import { sampleFetch } from "./sample-fetch";
import type { SourceSettings } from "./source";
import { sourceFrom, testRig } from "@/e2e/support/mail-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;

function settings(overrides: Partial<SourceSettings> = {}): SourceSettings {
  return {
    protocol: "imaps",
    startTls: true,
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    mailbox: alice,
    folder: "INBOX",
    ca: rig.ca,
    timeoutMs: 8000,
    ...overrides,
  };
}

const badToken = { type: "oauth" as const, user: alice, getToken: async () => ({ accessToken: "not-a-valid-token" }) };

afterEach(() => vi.restoreAllMocks());

describe("server replies reach the page whole", () => {
  it("IMAP on Dovecot: a wrong password shows [AUTHENTICATIONFAILED] and the server's words", async () => {
    const result = await sampleFetch(
      sourceFrom(settings(), { type: "password", user: alice, password: "wrong-password" }),
    );
    expect(result).toMatchObject({ ok: false, failedStep: "authenticate" });
    if (result.ok) return;
    expect(result.error).toMatch(
      /^the server refused the credentials: \S+ NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/,
    );
    expect(result.raw).toMatch(/NO \[AUTHENTICATIONFAILED\] Authentication failed\./);
  });

  it("IMAP on Dovecot: a refused token keeps the server's SASL challenge", async () => {
    const result = await sampleFetch(sourceFrom(settings(), badToken));
    expect(result).toMatchObject({ ok: false, failedStep: "authenticate" });
    if (result.ok) return;
    expect(result.raw).toMatch(/NO \[AUTHENTICATIONFAILED\] .*\(server's challenge: \{"status":"invalid_token"/);
    expect(result.error).toMatch(/^the server refused the credentials: \S+ NO \[AUTHENTICATIONFAILED\]/);
  });

  it('IMAP on the Exchange-like front (no challenge): the tagged line itself, not "Command failed"', async () => {
    const result = await sampleFetch(
      sourceFrom(settings({ host: rig.exchange.host, port: rig.exchange.imapTlsPort }), badToken),
    );
    expect(result).toMatchObject({ ok: false, failedStep: "authenticate" });
    if (result.ok) return;
    expect(result.error).toMatch(/^the server refused the credentials: \S+ NO AUTHENTICATE failed\.$/);
    expect(result.raw).toMatch(/NO AUTHENTICATE failed\./);
  });

  it("POP3 on Dovecot: a wrong password shows the server's -ERR line", async () => {
    const result = await sampleFetch(
      sourceFrom(settings({ protocol: "pops", port: rig.pop3.tlsPort }), {
        type: "password",
        user: alice,
        password: "wrong-password",
      }),
    );
    expect(result).toMatchObject({ ok: false, failedStep: "authenticate" });
    if (!result.ok) expect(result.raw).toMatch(/^-ERR .*Authentication failed/);
  });
});

describe("a failure inside Mailbridge", () => {
  it("is shown generically with an id, and logged with the same id", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const broken = {
      type: "oauth" as const,
      user: alice,
      getToken: async () => {
        const row = null as unknown as { accessToken: string };
        return { accessToken: row.accessToken };
      },
    };
    const result = await sampleFetch(sourceFrom(settings(), broken));
    vi.restoreAllMocks();
    expect(result).toMatchObject({ ok: false, failedStep: "token" });
    if (result.ok) return;
    const id = /error id ([0-9a-f]{12})/.exec(result.error)?.[1];
    expect(id).toBeDefined();
    expect(result.error).not.toMatch(/Cannot read|null/);
    expect(result.raw).toBeUndefined();
    expect(result.steps.find((s) => s.name === "token")?.detail).not.toMatch(/Cannot read/);
    const logged = written
      .map((line) => JSON.parse(line) as { errorId?: string; error?: { name: string; message: string } })
      .find((entry) => entry.errorId === id);
    expect(logged?.error).toMatchObject({ name: "TypeError", message: expect.stringMatching(/Cannot read/) });
  });

  it("a network failure reported by fetch is not taken for one: its cause is shown with a hint", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const unreachable = {
      type: "oauth" as const,
      user: alice,
      getToken: async () => Promise.reject(new TypeError("fetch failed", { cause: refused })),
    };
    const result = await sampleFetch(sourceFrom(settings(), unreachable));
    expect(result).toMatchObject({
      ok: false,
      failedStep: "token",
      error: "fetch failed: connect ECONNREFUSED 127.0.0.1:9",
      hint: { code: "net.refused" },
    });
  });
});
