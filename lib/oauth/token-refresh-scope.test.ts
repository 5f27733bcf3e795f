// Which scope a refresh sends, against three authorization servers: an outside IdP whose refresh tokens
// record a narrower grant than was asked for (no offline_access) and refuse the requested scope, the
// Microsoft-style endpoint (wants a scope on every refresh) and the Google-style one.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { failNext, getToken, introspectToken, refreshToken } from "@/e2e/rig/auth-client";
import { runAuthorizationFlow, tokenCall } from "@/e2e/rig/auth-server/test-support";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { countTokenCalls, createTestConnection, OUTLOOK_IMAP_SCOPE } from "@/e2e/support/oauth-connection";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { refreshScopeAttempts } from "./refresh-scope";
import { getAccessToken } from "./token-service";

let rig: RigInfo;
beforeAll(async () => {
  rig = rigInfo();
  await useTestDatabase();
});
afterEach(() => vi.restoreAllMocks());

const msTokenUrl = () => `${rig.auth.msBase}/organizations/oauth2/v2.0/token`;

/** A refresh-token connection as the consent leaves it: the configured scope and what the server said it granted. */
async function grantedConnection(
  clientKey: "narrowScope" | "ropc",
  opts: { tokenUrl?: string; storeGranted?: boolean; user?: string } = {},
) {
  const first = await getToken(rig, {
    user: opts.user ?? "alice",
    scope: OUTLOOK_IMAP_SCOPE,
    client: rig.auth.clients[clientKey],
  });
  expect(first.refresh_token).toBeTruthy();
  return createTestConnection(rig, {
    clientKey,
    grantType: "refresh_token",
    refreshToken: first.refresh_token,
    grantedScope: opts.storeGranted === false ? undefined : first.scope,
    tokenUrl: opts.tokenUrl,
  });
}

describe("the outside IdP whose refresh tokens record a narrower grant", () => {
  it("the rig behaves like it: the configured scope is refused on refresh with invalid_scope", async () => {
    const first = await getToken(rig, {
      user: "alice",
      scope: OUTLOOK_IMAP_SCOPE,
      client: rig.auth.clients.narrowScope,
    });
    expect(first.scope).toContain("offline_access");
    await expect(
      refreshToken(rig, {
        refreshToken: first.refresh_token!,
        client: rig.auth.clients.narrowScope,
        scope: OUTLOOK_IMAP_SCOPE,
      }),
    ).rejects.toThrow(/invalid_scope refresh token missing requested scope/);
  });

  it("the first refresh succeeds: granted scope, then no scope after invalid_scope", async () => {
    const conn = await grantedConnection("narrowScope");
    const calls = countTokenCalls(rig.auth.tokenUrl);
    const token = await getAccessToken(conn.id, { forceRefresh: true });
    expect((await introspectToken(rig, token.accessToken, "mail", rig.auth.users.alice.username)).active).toBe(true);
    expect(calls()).toBe(2);
    const stored = await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(stored.status).toBe("connected");
    // and the next refresh too, with the rotated refresh token
    await getAccessToken(conn.id, { forceRefresh: true });
  });

  it("after a real consent (authorization code with PKCE), the first refresh works", async () => {
    const client = rig.auth.clients.narrowScope;
    const flow = await runAuthorizationFlow({
      authorizeUrl: rig.auth.authorizeUrl,
      client,
      scope: OUTLOOK_IMAP_SCOPE,
      username: rig.auth.users.alice.username,
      password: rig.auth.users.alice.password,
    });
    const exchange = await tokenCall(rig.auth.tokenUrl, client, {
      grant_type: "authorization_code",
      code: flow.callback.searchParams.get("code")!,
      redirect_uri: flow.redirectUri,
      code_verifier: flow.codeVerifier,
    });
    expect(exchange.status, JSON.stringify(exchange.body)).toBe(200);
    // stored as the consent callback stores it: the answer's scope, else the requested one
    const conn = await createTestConnection(rig, {
      clientKey: "narrowScope",
      grantType: "authorization_code",
      refreshToken: String(exchange.body.refresh_token),
      grantedScope: typeof exchange.body.scope === "string" ? exchange.body.scope : OUTLOOK_IMAP_SCOPE,
    });
    await expect(
      refreshToken(rig, { refreshToken: String(exchange.body.refresh_token), client, scope: OUTLOOK_IMAP_SCOPE }),
    ).rejects.toThrow(/invalid_scope/);
    const token = await getAccessToken(conn.id, { forceRefresh: true });
    expect((await introspectToken(rig, token.accessToken, "mail", rig.auth.users.alice.username)).active).toBe(true);
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } })).status).toBe("connected");
  });

  it("without a stored granted scope it sends no scope, which means 'as granted' (RFC 6749 section 6)", async () => {
    const conn = await grantedConnection("narrowScope", { storeGranted: false });
    const calls = countTokenCalls(rig.auth.tokenUrl);
    await getAccessToken(conn.id, { forceRefresh: true });
    expect(calls()).toBe(1);
  });

  it("a scope refused in every form: an explained error, and the status says so instead of Connected", async () => {
    const conn = await grantedConnection("narrowScope");
    await db().oAuthConnection.update({ where: { id: conn.id }, data: { status: "connected" } });
    const clientId = rig.auth.clients.narrowScope.clientId;
    for (let i = 0; i < 2; i++)
      await failNext(rig, {
        path: "token",
        clientId,
        code: "invalid_scope",
        description: "scope not allowed for this client",
      });
    const error = (await getAccessToken(conn.id, { forceRefresh: true }).catch((e: unknown) => e)) as UserFacingError;
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toMatch(
      /invalid_scope: scope not allowed for this client \(refresh tried with scope ".*offline_access", then no scope\)/,
    );
    expect(error.options.hint?.code).toBe("oauth.refresh_invalid_scope");
    const stored = await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(stored).toMatchObject({ status: "refresh_failing", refreshFailures: 1 });
    expect(stored.statusReason).toMatch(/invalid_scope/);
    expect(stored.statusHint).toMatch(/Reconnect/);
  });
});

describe("the Microsoft- and Google-style endpoints", () => {
  it("Microsoft: a scope on every refresh (the granted one plus offline_access); no scope is refused there", async () => {
    const conn = await grantedConnection("ropc", { tokenUrl: msTokenUrl() });
    const calls = countTokenCalls(msTokenUrl());
    const token = await getAccessToken(conn.id, { forceRefresh: true });
    expect(calls()).toBe(1);
    expect((await introspectToken(rig, token.accessToken, "mail", rig.auth.users.alice.username)).active).toBe(true);
    expect(
      refreshScopeAttempts(msTokenUrl(), {
        scope: OUTLOOK_IMAP_SCOPE,
        grantedScope: "https://outlook.office.com/IMAP.AccessAsUser.All",
      }),
    ).toEqual([OUTLOOK_IMAP_SCOPE]);
    const noScope = await fetch(msTokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: "x",
        client_id: rig.auth.clients.ropc.clientId,
        client_secret: rig.auth.clients.ropc.clientSecret!,
      }),
    });
    expect(await noScope.json()).toMatchObject({ error: "invalid_scope", error_codes: [70011] });
  });

  it("Google: refreshes with the granted scope", async () => {
    const conn = await grantedConnection("ropc", { tokenUrl: rig.auth.googleTokenUrl });
    const calls = countTokenCalls(rig.auth.googleTokenUrl);
    await getAccessToken(conn.id, { forceRefresh: true });
    await getAccessToken(conn.id, { forceRefresh: true });
    expect(calls()).toBe(2);
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } })).status).toBe("connected");
  });
});
