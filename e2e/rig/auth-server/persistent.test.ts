// A persistent authorization server (the demo's) starts again from its folder: the same issuer, users,
// client secrets and signing keys, and the grants and refresh tokens it issued before still work.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts } from "../ports";
import { startAuthServer, type AuthServer } from "./index";
import { tokenCall } from "./test-support";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function persistentServer(dir: string, port: number): Promise<AuthServer> {
  const server = await startAuthServer({
    dir: path.join(dir, "auth"),
    logDir: path.join(dir, "logs"),
    port,
    persistent: true,
  });
  cleanups.push(() => server.stop());
  return server;
}

describe("a persistent authorization server", () => {
  it("honours its earlier refresh tokens and access tokens after a restart", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "rig-auth-persistent-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [port] = await freePorts(1);
    const first = await persistentServer(dir, port);
    const client = first.info.clients.ropc;
    const alice = first.info.users.alice;
    const issued = await tokenCall(first.info.tokenUrl, client, {
      grant_type: "password",
      username: alice.username,
      password: alice.password,
      scope: "imap offline_access",
    });
    expect(issued.status).toBe(200);
    await first.stop();

    const second = await persistentServer(dir, port);
    expect(second.info.issuer).toBe(first.info.issuer);
    expect(second.info.users).toEqual(first.info.users);
    expect(second.info.clients.ropc.clientSecret).toBe(client.clientSecret);
    expect(await second.introspect(String(issued.body.access_token), "mail")).toMatchObject({
      active: true,
      username: alice.username,
    });
    const refreshed = await tokenCall(second.info.tokenUrl, second.info.clients.ropc, {
      grant_type: "refresh_token",
      refresh_token: String(issued.body.refresh_token),
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
  });

  it("without persistence starts with new secrets each time", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "rig-auth-fresh-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const one = await startAuthServer({ dir: path.join(dir, "auth"), logDir: path.join(dir, "logs") });
    await one.stop();
    const two = await startAuthServer({ dir: path.join(dir, "auth"), logDir: path.join(dir, "logs") });
    cleanups.push(() => two.stop());
    expect(two.info.clients.ropc.clientSecret).not.toBe(one.info.clients.ropc.clientSecret);
  });
});
