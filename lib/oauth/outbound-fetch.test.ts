// Token requests go through MAILBRIDGE_HTTPS_PROXY when one is set: a real proxy (CONNECT tunnels and
// absolute-URI requests) on loopback counts what passes through it.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { introspectToken } from "@/e2e/rig/auth-client";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { useTestDatabase } from "@/e2e/support/test-db";
import { resetConfigForTests } from "@/lib/config";
import { db } from "@/lib/db";
import { saveOAuthConnection } from "./connection-service";
import { getAccessToken } from "./token-service";

let rig: RigInfo;
let proxy: http.Server;
const seen: string[] = [];

beforeAll(async () => {
  rig = rigInfo();
  proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? "");
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on("connect", (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  process.env.MAILBRIDGE_HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  await useTestDatabase();
});

afterAll(async () => {
  delete process.env.MAILBRIDGE_HTTPS_PROXY;
  resetConfigForTests();
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
});

describe("outbound OAuth requests through the configured proxy", () => {
  it("obtains the token through the proxy", async () => {
    const admin = await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } });
    const client = rig.auth.clients.ropc;
    const alice = rig.auth.users.alice;
    const { connectionId } = await saveOAuthConnection(
      { preset: "generic", grantType: "password", clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl: rig.auth.tokenUrl, scope: "imap", subject: alice.username, password: alice.password },
      { userId: admin.id, direction: "incoming" },
    );
    const token = await getAccessToken(connectionId);
    expect((await introspectToken(rig, token.accessToken, "mail", alice.username)).active).toBe(true);
    const tokenHost = new URL(rig.auth.tokenUrl).host;
    expect(seen.some((line) => line.includes(tokenHost))).toBe(true);
  });
});
