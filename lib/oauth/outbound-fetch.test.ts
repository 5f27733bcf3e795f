// Token requests go through MAILBRIDGE_HTTPS_PROXY when one is set: a real proxy on loopback records them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { introspectToken } from "@/e2e/rig/auth-client";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { startConnectProxy, type TestProxy } from "@/e2e/support/connect-proxy";
import { useTestDatabase } from "@/e2e/support/test-db";
import { resetConfigForTests } from "@/lib/config";
import { db } from "@/lib/db";
import { saveOAuthConnection } from "./connection-service";
import { getAccessToken } from "./token-service";

let rig: RigInfo;
let proxy: TestProxy;

beforeAll(async () => {
  rig = rigInfo();
  proxy = await startConnectProxy();
  process.env.MAILBRIDGE_HTTPS_PROXY = proxy.url;
  await useTestDatabase();
});

afterAll(async () => {
  delete process.env.MAILBRIDGE_HTTPS_PROXY;
  resetConfigForTests();
  await proxy.stop();
});

describe("outbound OAuth requests through the configured proxy", () => {
  it("obtains the token through the proxy", async () => {
    const admin = await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } });
    const client = rig.auth.clients.ropc;
    const alice = rig.auth.users.alice;
    const { connectionId } = await saveOAuthConnection(
      {
        preset: "generic",
        grantType: "password",
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        tokenUrl: rig.auth.tokenUrl,
        scope: "imap",
        subject: alice.username,
        password: alice.password,
      },
      { userId: admin.id, direction: "incoming" },
    );
    const token = await getAccessToken(connectionId);
    expect((await introspectToken(rig, token.accessToken, "mail", alice.username)).active).toBe(true);
    const tokenHost = new URL(rig.auth.tokenUrl).host;
    expect(proxy.seen.some((line) => line.includes(tokenHost))).toBe(true);
  });
});
