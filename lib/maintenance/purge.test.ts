import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { addUser } from "@/lib/users";
import { purgeOnce, startPurge } from "./purge";

const DAY = 24 * 60 * 60 * 1000;

describe("purge of expired records", () => {
  let userId = "";
  let connectionId = "";
  beforeAll(async () => {
    await useTestDatabase();
    await addUser({ name: "A", email: "purge@mailbridge.test", password: "a-long-enough-password", role: "admin" });
    userId = (await db().user.findUniqueOrThrow({ where: { email: "purge@mailbridge.test" } })).id;
    const app = await db().oAuthApplication.create({
      data: { name: "app", preset: "generic", clientId: "c", tokenUrl: "https://idp.example.com/token" },
    });
    connectionId = (
      await db().oAuthConnection.create({ data: { applicationId: app.id, grantType: "authorization_code" } })
    ).id;
  });
  afterAll(() => db().$disconnect());

  const state = (hash: string, expiresAt: Date) =>
    db().oAuthState.create({ data: { stateHash: hash, userId, connectionId, codeVerifier: "v", expiresAt } });

  it("deletes OAuth states past their expiry and fetch runs older than the kept days, nothing else", async () => {
    const now = Date.now();
    await state("expired", new Date(now - 1000));
    await state("live", new Date(now + 600_000));
    await db().fetchRun.create({ data: { kind: "sample", startedAt: new Date(now - 15 * DAY) } });
    await db().fetchRun.create({ data: { kind: "sample", startedAt: new Date(now - 13 * DAY) } });
    expect(await purgeOnce()).toEqual({ oauthStates: 1, fetchRuns: 1, orphanFiles: 0, mailboxDirs: 0 });
    expect((await db().oAuthState.findMany()).map((s) => s.stateHash)).toEqual(["live"]);
    expect(await db().fetchRun.count()).toBe(1);
  });

  it("runs at start and on its interval until stopped", async () => {
    await state("expired-2", new Date(Date.now() - 1000));
    const job = startPurge({ intervalMs: 200 });
    await new Promise((r) => setTimeout(r, 100));
    expect(await db().oAuthState.count({ where: { stateHash: "expired-2" } })).toBe(0);
    await state("expired-3", new Date(Date.now() - 1000));
    await new Promise((r) => setTimeout(r, 400));
    expect(await db().oAuthState.count({ where: { stateHash: "expired-3" } })).toBe(0);
    await job.stop();
    await state("expired-4", new Date(Date.now() - 1000));
    await new Promise((r) => setTimeout(r, 400));
    expect(await db().oAuthState.count({ where: { stateHash: "expired-4" } })).toBe(1);
  });
});
