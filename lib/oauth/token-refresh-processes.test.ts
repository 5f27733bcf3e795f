// Two OS processes on PostgreSQL ask for the same expired token while the token endpoint answers slowly:
// exactly one refresh reaches the authorization server, nobody marks the connection reconnect-needed, and
// both get the same valid token.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { getToken, introspectToken, slowNext, tokenRequestCount } from "@/e2e/rig/auth-client";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { createTestConnection, OUTLOOK_IMAP_SCOPE } from "@/e2e/support/oauth-connection";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";

let rig: RigInfo;
beforeAll(async () => {
  rig = rigInfo();
  await useTestDatabase({ databaseUrl: await createPostgresDatabase() });
}, 60_000);

type Answer = { ok: boolean; accessToken?: string; error?: string };

function startChild(connectionId: string): { child: ChildProcess; ready: Promise<void>; answer: Promise<Answer> } {
  const child = fork(path.resolve("e2e/support/token-child.ts"), [connectionId], {
    execArgv: ["--conditions=react-server", "--import", "tsx"],
    env: { ...process.env },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`child exited ${code} before it was ready`)));
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim()) as Answer) : reject(new Error(`child exited ${code}: ${out}`)),
    );
  });
  return { child, ready, answer };
}

describe("refresh across processes on PostgreSQL", () => {
  it("a slow token endpoint: one refresh, no reconnect-needed, both processes get the same valid token", async () => {
    const client = rig.auth.clients.ropcProcesses;
    const first = await getToken(rig, { user: "alice", scope: OUTLOOK_IMAP_SCOPE, client });
    const conn = await createTestConnection(rig, {
      clientKey: "ropcProcesses",
      grantType: "refresh_token",
      refreshToken: first.refresh_token,
      grantedScope: first.scope,
    });
    const children = [startChild(conn.id), startChild(conn.id)];
    try {
      await Promise.all(children.map((c) => c.ready));
      const before = await tokenRequestCount(rig, client.clientId);
      // slower than any wait step, far below the request timeout: the second process must wait for the first
      await slowNext(rig, { clientId: client.clientId, delayMs: 4000, count: 2 });
      for (const c of children) c.child.send("go");
      const answers = await Promise.all(children.map((c) => c.answer));
      expect(answers.map((a) => a.error ?? "ok")).toEqual(["ok", "ok"]);
      expect(answers[0].accessToken).toBe(answers[1].accessToken);
      expect(await tokenRequestCount(rig, client.clientId)).toBe(before + 1);
      expect((await introspectToken(rig, answers[0].accessToken!, "mail", rig.auth.users.alice.username)).active).toBe(
        true,
      );
      const stored = await db().oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } });
      expect(stored).toMatchObject({
        status: "connected",
        refreshLeaseOwner: null,
        refreshFailures: 0,
        tokenVersion: conn.tokenVersion + 1,
      });
      expect(stored.accessToken).toBe(answers[0].accessToken);
    } finally {
      for (const c of children) if (c.child.exitCode === null) c.child.kill();
    }
  }, 60_000);
});
