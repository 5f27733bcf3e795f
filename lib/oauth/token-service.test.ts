import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { getToken, introspectToken, revoke } from "@/e2e/rig/auth-client";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { config } from "@/lib/config";
import { createRawClient, db } from "@/lib/db";
import {
  countTokenCalls as countCalls,
  createTestConnection,
  OUTLOOK_IMAP_SCOPE,
  type TestConnection,
} from "@/e2e/support/oauth-connection";
import { getAccessToken, ReconnectNeededError } from "./token-service";

let rig: RigInfo;
const SCOPE = OUTLOOK_IMAP_SCOPE;

beforeAll(async () => {
  rig = rigInfo();
  await useTestDatabase();
});
afterEach(() => vi.restoreAllMocks());

const connection = (data: TestConnection) => createTestConnection(rig, data);
const countTokenCalls = () => countCalls(rig.auth.tokenUrl);

describe("token service against the rig's authorization server", () => {
  it("ROPC (client_secret_post) obtains a token the mail servers accept", async () => {
    const alice = rig.auth.users.alice;
    const conn = await connection({
      clientKey: "ropc",
      grantType: "password",
      subject: alice.username,
      password: alice.password,
    });
    const token = await getAccessToken(conn.id);
    expect((await introspectToken(rig, token.accessToken, "mail", alice.username)).active).toBe(true);
    // cached: a second call makes no request
    const calls = countTokenCalls();
    expect((await getAccessToken(conn.id)).accessToken).toBe(token.accessToken);
    expect(calls()).toBe(0);
  });

  it("client credentials with client_secret_basic and private_key_jwt", async () => {
    for (const key of ["secretBasic", "privateKeyJwt"]) {
      const conn = await connection({
        clientKey: key,
        grantType: "client_credentials",
        scope: "https://outlook.office365.com/.default",
        privateKey: key === "privateKeyJwt",
      });
      const token = await getAccessToken(conn.id);
      expect((await introspectToken(rig, token.accessToken, "mail", rig.mailboxes.bob)).active, key).toBe(true);
    }
  });

  it("JWT bearer grant for a service account impersonating a mailbox", async () => {
    const conn = await connection({
      clientKey: "serviceAccount",
      grantType: "jwt_bearer",
      scope: "https://mail.google.com/",
      subject: rig.mailboxes.bob,
      privateKey: true,
    });
    const token = await getAccessToken(conn.id);
    const active = await introspectToken(rig, token.accessToken, "mail", rig.mailboxes.bob);
    expect(active).toMatchObject({ active: true, username: rig.mailboxes.bob });
  });

  it("refresh rotates the refresh token and stores the newest one, encrypted", async () => {
    const alice = rig.auth.users.alice;
    const first = await getToken(rig, { user: "alice", scope: SCOPE, client: rig.auth.clients.ropc });
    expect(first.refresh_token).toBeTruthy();
    const conn = await connection({ clientKey: "ropc", grantType: "refresh_token", refreshToken: first.refresh_token });
    await getAccessToken(conn.id);
    const stored = await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(stored.refreshToken).toBeTruthy();
    expect(stored.refreshToken).not.toBe(first.refresh_token);
    const raw = createRawClient(config().database);
    const row = await raw.oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(row.refreshToken).toMatch(/^mb1:/);
    expect(row.refreshToken).not.toContain(stored.refreshToken!);
    expect(row.accessToken).toMatch(/^mb1:/);
    await raw.$disconnect();
    // the rotated-away token is dead; the stored one still works
    const again = await getAccessToken(conn.id, { forceRefresh: true });
    expect((await introspectToken(rig, again.accessToken, "mail", alice.username)).active).toBe(true);
  });

  it("50 concurrent requests for an expired token make exactly one refresh call", async () => {
    const first = await getToken(rig, { user: "alice", scope: SCOPE, client: rig.auth.clients.ropc });
    const conn = await connection({ clientKey: "ropc", grantType: "refresh_token", refreshToken: first.refresh_token });
    const calls = countTokenCalls();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(conn.id)));
    expect(calls()).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  });

  it("tokens that live shorter than the margin: concurrent callers still share one refresh", async () => {
    const first = await getToken(rig, { user: "alice", scope: SCOPE, client: rig.auth.clients.ropc });
    // the rig issues 1-hour tokens: with a 2-hour margin every token is "about to expire"
    const conn = await connection({
      clientKey: "ropc",
      grantType: "refresh_token",
      refreshToken: first.refresh_token,
      marginSec: 7200,
    });
    const calls = countTokenCalls();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => getAccessToken(conn.id)));
    expect(calls()).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  });

  it("a revoked grant becomes 'reconnect needed' with a hint, and nothing retries", async () => {
    // The shared mailbox's own account: revoking it cannot touch another test file's tokens.
    const first = await getToken(rig, { user: "shared", scope: SCOPE, client: rig.auth.clients.ropc });
    const conn = await connection({ clientKey: "ropc", grantType: "refresh_token", refreshToken: first.refresh_token });
    await revoke(rig, { user: "shared", clientId: rig.auth.clients.ropc.clientId });
    await expect(getAccessToken(conn.id)).rejects.toBeInstanceOf(ReconnectNeededError);
    const stored = await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(stored.status).toBe("reconnect_needed");
    expect(stored.statusHint).toMatch(/Reconnect/);
    const calls = countTokenCalls();
    await expect(getAccessToken(conn.id)).rejects.toBeInstanceOf(ReconnectNeededError);
    expect(calls()).toBe(0);
  });
});
