// Refresh when things go wrong, against the rig's authorization server: the provider failing (backoff), a
// refresh that outlives its lease (fenced writes, re-check before "reconnect needed"), a hung refresh
// elsewhere (bounded wait) and a token endpoint slower than the request timeout.
import net from "node:net";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { failNext, getToken, slowNext, tokenRequestCount } from "@/e2e/rig/auth-client";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { createTestConnection, OUTLOOK_IMAP_SCOPE } from "@/e2e/support/oauth-connection";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { getAccessToken } from "./token-service";

let rig: RigInfo;
beforeAll(async () => {
  rig = rigInfo();
  await useTestDatabase();
});
afterEach(() => vi.restoreAllMocks());

const client = () => rig.auth.clients.ropcSlow;
const refreshes = () => tokenRequestCount(rig, client().clientId);

async function expiredConnection(user = "alice") {
  const first = await getToken(rig, { user, scope: OUTLOOK_IMAP_SCOPE, client: client() });
  return createTestConnection(rig, {
    clientKey: "ropcSlow",
    grantType: "refresh_token",
    refreshToken: first.refresh_token,
    grantedScope: first.scope,
  });
}
const row = (id: string) => db().oAuthConnection.findUniqueOrThrow({ where: { id } });

describe("refresh when the provider fails", () => {
  it("backs off: callers inside the window get the last error at once, without a request; then it recovers", async () => {
    const conn = await expiredConnection();
    await failNext(rig, {
      path: "token",
      clientId: client().clientId,
      code: "temporarily_unavailable",
      description: "the service is down",
      status: 503,
    });
    const before = await refreshes();
    const first = (await getAccessToken(conn.id).catch((e: unknown) => e)) as UserFacingError;
    expect(first).toBeInstanceOf(UserFacingError);
    expect(first.message).toMatch(/HTTP 503 \(temporarily_unavailable: the service is down\)/);
    let stored = await row(conn.id);
    expect(stored).toMatchObject({ status: "refresh_failing", refreshFailures: 1, refreshLeaseOwner: null });
    expect(stored.refreshRetryAt!.getTime()).toBeGreaterThan(Date.now());

    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const again = (await getAccessToken(conn.id).catch((e: unknown) => e)) as UserFacingError;
      expect(Date.now() - started).toBeLessThan(3000);
      expect(again.message).toMatch(
        /could not be refreshed: the token endpoint answered HTTP 503 \(temporarily_unavailable: the service is down\)/,
      );
      expect(again.options.hint?.code).toBe("oauth.refresh_backoff");
      expect(again.options.hint?.action).toMatch(/tries again in \d+ s/);
    }
    expect((await refreshes()) - before).toBe(1);

    // the window passes (moved back instead of waiting): the next caller refreshes, and all is well again
    await db().oAuthConnection.update({ where: { id: conn.id }, data: { refreshRetryAt: new Date(Date.now() - 1) } });
    await getAccessToken(conn.id);
    stored = await row(conn.id);
    expect(stored).toMatchObject({ status: "connected", refreshFailures: 0, refreshRetryAt: null, statusReason: null });
    expect((await refreshes()) - before).toBe(2);
  });

  it("an unreachable token endpoint: the reason names the socket error, and the status says so", async () => {
    const conn = await expiredConnection();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await db().oAuthApplication.update({
      where: { id: conn.applicationId },
      data: { tokenUrl: `http://127.0.0.1:${port}/token` },
    });
    const error = (await getAccessToken(conn.id).catch((e: unknown) => e)) as UserFacingError;
    expect(error.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    expect(error.options.hint?.code).toBe("oauth.token_unreachable");
    expect(await row(conn.id)).toMatchObject({
      status: "refresh_failing",
      refreshFailures: 1,
      statusReason: "the token endpoint could not be reached (ECONNREFUSED)",
    });
  });

  it("the pause grows with each failure in a row", async () => {
    const conn = await expiredConnection();
    const pauses: number[] = [];
    for (let i = 0; i < 3; i++) {
      await failNext(rig, { path: "token", clientId: client().clientId, code: "server_error", status: 500 });
      const started = Date.now();
      await expect(getAccessToken(conn.id)).rejects.toThrow(/HTTP 500 \(server_error/);
      const stored = await row(conn.id);
      pauses.push(stored.refreshRetryAt!.getTime() - started);
      await db().oAuthConnection.update({ where: { id: conn.id }, data: { refreshRetryAt: new Date(Date.now() - 1) } });
    }
    expect((await row(conn.id)).refreshFailures).toBe(3);
    expect(pauses[1]).toBeGreaterThan(pauses[0] * 1.5);
    expect(pauses[2]).toBeGreaterThan(pauses[1] * 1.5);
  });
});

describe("refresh that outlives its lease", () => {
  it("a late invalid_grant after another caller took over does not mark the connection reconnect-needed", async () => {
    const conn = await expiredConnection("bob");
    // A's request is held back at the provider; meanwhile A's lease is made to run out (a stalled process).
    await slowNext(rig, { clientId: client().clientId, delayMs: 2500 });
    const a = getAccessToken(conn.id);
    await vi.waitFor(async () => expect((await row(conn.id)).refreshLeaseOwner).not.toBeNull(), {
      timeout: 2000,
      interval: 20,
    });
    await db().oAuthConnection.update({
      where: { id: conn.id },
      data: { refreshLeaseUntil: new Date(Date.now() - 1) },
    });
    // B takes over with the same refresh token, is answered first and stores the rotated grant.
    const b = await getAccessToken(conn.id);
    expect((await row(conn.id)).status).toBe("connected");
    // A's answer comes late: the replayed refresh token is refused (invalid_grant).
    const fromA = await a.catch((e: unknown) => e);
    const stored = await row(conn.id);
    expect(stored.status).toBe("connected");
    expect(stored.refreshLeaseOwner).toBeNull();
    expect(fromA).toEqual(b);
  });
});

describe("refresh that outlives its lease, answered first", () => {
  it("the late owner's success is stored (nobody stored one), and the other caller takes it instead of a reconnect", async () => {
    const conn = await expiredConnection("bob");
    // A is answered after 1.5 s, B (taking over A's lapsed lease with the same refresh token) after 3 s.
    await slowNext(rig, { clientId: client().clientId, delayMs: 1500 });
    const a = getAccessToken(conn.id);
    await vi.waitFor(async () => expect((await row(conn.id)).refreshLeaseOwner).not.toBeNull(), {
      timeout: 2000,
      interval: 20,
    });
    await slowNext(rig, { clientId: client().clientId, delayMs: 3000 });
    await db().oAuthConnection.update({
      where: { id: conn.id },
      data: { refreshLeaseUntil: new Date(Date.now() - 1) },
    });
    const b = getAccessToken(conn.id);
    const fromA = await a;
    const afterA = await row(conn.id);
    expect(afterA.accessToken).toBe(fromA.accessToken);
    expect(afterA.tokenVersion).toBe(conn.tokenVersion + 1);
    // B's replayed refresh token is refused; it must take A's stored result, not mark the connection
    const fromB = await b;
    expect(fromB.accessToken).toBe(fromA.accessToken);
    const stored = await row(conn.id);
    expect(stored.status).toBe("connected");
    expect(stored.refreshLeaseOwner).toBeNull();
  });
});

describe("waiting for another caller's refresh", () => {
  it("has a deadline: a refresh that hangs elsewhere gives a clear error, not an endless wait", async () => {
    const conn = await expiredConnection();
    await db().oAuthConnection.update({
      where: { id: conn.id },
      data: { refreshLeaseOwner: "a-stalled-process", refreshLeaseUntil: new Date(Date.now() + 60_000) },
    });
    const before = await refreshes();
    const started = Date.now();
    const error = (await getAccessToken(conn.id, { waitMs: 600 }).catch((e: unknown) => e)) as UserFacingError;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toMatch(/Another request has been refreshing this connection's token for over 1 s/);
    expect(error.options.hint?.code).toBe("oauth.refresh_wait");
    expect(await refreshes()).toBe(before);
  }, 10_000);

  it("a token request slower than the timeout (20 s, well under the 60 s lease) ends with an explained failure", async () => {
    const conn = await expiredConnection();
    await slowNext(rig, { clientId: client().clientId, delayMs: 23_000 });
    const started = Date.now();
    const error = (await getAccessToken(conn.id).catch((e: unknown) => e)) as UserFacingError;
    const took = Date.now() - started;
    expect(took).toBeGreaterThan(19_000);
    expect(took).toBeLessThan(22_500);
    expect(error.message).toMatch(/did not answer within 20 s/);
    const stored = await row(conn.id);
    expect(stored).toMatchObject({ status: "refresh_failing", refreshLeaseOwner: null });
    expect(stored.statusHint).toMatch(/too slow/);
  }, 40_000);
});
