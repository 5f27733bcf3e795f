import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  failNext,
  getToken,
  introspectToken,
  refreshToken,
  resetAuth,
  revoke,
  rotateKeys,
  setTtl,
  slowNext,
  tokenRequestCount,
} from "../auth-client";
import { jwtParts, startTestAuthServer, tokenCall, type TestAuthServer } from "./test-support";

let server: TestAuthServer;
beforeAll(async () => {
  server = await startTestAuthServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const OUTLOOK_IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All";

describe("introspection extension", () => {
  it("answers 200 {active:false} for garbage, a missing token and an unknown resource", async () => {
    for (const [token, resource] of [
      ["garbage", "mail"],
      ["", "mail"],
      ["x.y.z", "graph"],
    ] as const) {
      expect(await introspectToken(server.rig, token, resource)).toEqual({ active: false });
    }
    const response = await fetch(`${server.info.introspectionUrl}/nonsense`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ active: false });
  });

  it("accepts a token only for the resources of its audience", async () => {
    const outlook = await getToken(server.rig, { user: "alice", scope: OUTLOOK_IMAP });
    expect(await introspectToken(server.rig, outlook.access_token, "mail")).toMatchObject({
      active: true,
      aud: "https://outlook.office.com",
    });
    expect(await introspectToken(server.rig, outlook.access_token, "ews")).toMatchObject({ active: true });
    expect(await introspectToken(server.rig, outlook.access_token, "graph")).toEqual({ active: false });

    const graph = await getToken(server.rig, { user: "alice", scope: "https://graph.microsoft.com/Mail.ReadWrite" });
    expect(await introspectToken(server.rig, graph.access_token, "graph")).toMatchObject({
      active: true,
      aud: "https://graph.microsoft.com",
    });
    expect(await introspectToken(server.rig, graph.access_token, "mail")).toEqual({ active: false });

    const gmail = await getToken(server.rig, { user: "alice", scope: "https://mail.google.com/" });
    expect(await introspectToken(server.rig, gmail.access_token, "mail")).toMatchObject({ active: true });
    expect(await introspectToken(server.rig, gmail.access_token, "ews")).toEqual({ active: false });
  });

  it("names the login user only when the token's user may open that mailbox (alice → shared yes, bob → shared no)", async () => {
    const alice = await getToken(server.rig, { user: "alice", scope: "imap" });
    const bob = await getToken(server.rig, { user: "bob", scope: "imap" });
    expect(await server.introspect(alice.access_token, "mail", "shared@rig.test")).toMatchObject({
      active: true,
      username: "shared@rig.test",
    });
    expect(await server.introspect(alice.access_token, "mail", "alice@rig.test")).toMatchObject({
      active: true,
      username: "alice@rig.test",
    });
    expect(await server.introspect(bob.access_token, "mail", "shared@rig.test")).toMatchObject({
      active: true,
      username: "bob@rig.test",
    });
    expect(await server.introspect(bob.access_token, "mail", "alice@rig.test")).toMatchObject({
      active: true,
      username: "bob@rig.test",
    });
    expect(await introspectToken(server.rig, alice.access_token, "mail", "SHARED@rig.test")).toMatchObject({
      username: "shared@rig.test",
    });
  });

  it("lets an app-only token act as any mailbox", async () => {
    const app = await tokenCall(server.info.tokenUrl, server.info.clients.appOnly, {
      grant_type: "client_credentials",
      scope: "https://outlook.office365.com/.default",
    });
    const token = String(app.body.access_token);
    expect(await server.introspect(token, "mail", "bob@rig.test")).toMatchObject({
      active: true,
      username: "bob@rig.test",
      app_only: true,
    });
    expect(await server.introspect(token, "ews", "shared@rig.test")).toMatchObject({
      active: true,
      username: "shared@rig.test",
    });
  });
});

describe("control API", () => {
  it("revoke: refresh fails with invalid_grant and existing access tokens turn inactive; others stay", async () => {
    const bob = await getToken(server.rig, { user: "bob", scope: `${OUTLOOK_IMAP} offline_access` });
    const alice = await getToken(server.rig, { user: "alice", scope: `${OUTLOOK_IMAP} offline_access` });
    expect(await introspectToken(server.rig, bob.access_token, "mail")).toMatchObject({ active: true });

    const revoked = await revoke(server.rig, { user: "bob" });
    expect(revoked.grants).toBeGreaterThan(0);
    expect(await introspectToken(server.rig, bob.access_token, "mail")).toEqual({ active: false });
    await expect(refreshToken(server.rig, { refreshToken: bob.refresh_token! })).rejects.toThrow(/invalid_grant/);

    expect(await introspectToken(server.rig, alice.access_token, "mail")).toMatchObject({ active: true });
    await expect(refreshToken(server.rig, { refreshToken: alice.refresh_token! })).resolves.toMatchObject({
      access_token: expect.any(String),
    });
  });

  it("revoke by client ends app-only tokens of that client", async () => {
    const { clients, tokenUrl } = server.info;
    const app = await tokenCall(tokenUrl, clients.appOnly, { grant_type: "client_credentials", scope: "imap" });
    const token = String(app.body.access_token);
    expect(await server.introspect(token, "mail")).toMatchObject({ active: true });
    await revoke(server.rig, { clientId: clients.appOnly.clientId });
    expect(await server.introspect(token, "mail")).toEqual({ active: false });
  });

  it("ttl: tokens issued afterwards live that long, and expire", async () => {
    const client = server.info.clients.secretPost;
    await setTtl(server.rig, 1, { clientId: client.clientId });
    try {
      const short = await getToken(server.rig, { user: "alice", scope: "imap", client });
      expect(short.expires_in).toBe(1);
      const { payload } = jwtParts(short.access_token);
      expect(Number(payload.exp) - Number(payload.iat)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(await introspectToken(server.rig, short.access_token, "mail")).toEqual({ active: false });
      const other = await getToken(server.rig, { user: "alice", scope: "imap" });
      expect(other.expires_in).toBe(3600);
    } finally {
      await resetAuth(server.rig);
    }
    expect((await getToken(server.rig, { user: "alice", scope: "imap", client })).expires_in).toBe(3600);
  });

  it("rotate-keys: new kid in the JWKS, old tokens still introspect, retiring ends them", async () => {
    const before = await getToken(server.rig, { user: "alice", scope: "imap" });
    const oldKid = jwtParts(before.access_token).header.kid;
    const newKid = await rotateKeys(server.rig);
    expect(newKid).not.toBe(oldKid);
    const jwks = (await (await fetch(server.info.jwksUrl)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([newKid, oldKid]));

    const after = await getToken(server.rig, { user: "alice", scope: "imap" });
    expect(jwtParts(after.access_token).header.kid).toBe(newKid);
    expect(await introspectToken(server.rig, before.access_token, "mail")).toMatchObject({ active: true });
    expect(await introspectToken(server.rig, after.access_token, "mail")).toMatchObject({ active: true });

    await rotateKeys(server.rig, { retireOld: true });
    expect(await introspectToken(server.rig, before.access_token, "mail")).toEqual({ active: false });
    expect(await introspectToken(server.rig, after.access_token, "mail")).toEqual({ active: false });
    const fresh = await getToken(server.rig, { user: "alice", scope: "imap" });
    expect(await introspectToken(server.rig, fresh.access_token, "mail")).toMatchObject({ active: true });
  });

  it("fail-next: the next matching request fails once, in the style of its endpoint", async () => {
    const client = server.info.clients.secretPost;
    await failNext(server.rig, {
      path: "token",
      code: "invalid_grant",
      clientId: client.clientId,
      description: "forced",
    });
    await expect(getToken(server.rig, { user: "alice", scope: "imap", client })).rejects.toThrow(
      /400 invalid_grant forced/,
    );
    await expect(getToken(server.rig, { user: "alice", scope: "imap", client })).resolves.toMatchObject({
      access_token: expect.any(String),
    });
  });

  it("slow: the next token requests of a client are answered late, then on time again; token-requests counts them", async () => {
    const client = server.info.clients.ropc;
    const first = await getToken(server.rig, { user: "alice", scope: `${OUTLOOK_IMAP} offline_access`, client });
    const before = await tokenRequestCount(server.rig, client.clientId);
    await slowNext(server.rig, { clientId: client.clientId, delayMs: 700 });
    let started = Date.now();
    const refreshed = await refreshToken(server.rig, { refreshToken: first.refresh_token!, client });
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    started = Date.now();
    await refreshToken(server.rig, { refreshToken: refreshed.refresh_token!, client });
    expect(Date.now() - started).toBeLessThan(600);
    expect(await tokenRequestCount(server.rig, client.clientId)).toBe(before + 2);
    expect(await tokenRequestCount(server.rig, client.clientId, "password")).toBeGreaterThan(0);
  });

  it("refuses callers' bad control requests", async () => {
    for (const bad of [{ delayMs: 0 }, { delayMs: 500_000 }, { delayMs: 100, count: 0 }]) {
      const response = await fetch(`${server.info.controlUrl}/slow`, { method: "POST", body: JSON.stringify(bad) });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    const noClient = await fetch(`${server.info.controlUrl}/token-requests`, { method: "POST", body: "{}" });
    expect(noClient.status).toBe(400);
    const unknown = await fetch(`${server.info.controlUrl}/explode`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    const badTtl = await fetch(`${server.info.controlUrl}/ttl`, {
      method: "POST",
      body: JSON.stringify({ accessTokenSeconds: -5 }),
    });
    expect(badTtl.status).toBe(400);
    const badFailure = await fetch(`${server.info.controlUrl}/fail-next`, {
      method: "POST",
      body: JSON.stringify({ path: "token", style: "microsoft", code: "not-a-code" }),
    });
    expect(badFailure.status).toBe(400);
  });
});
