// Mail connections through a configured HTTP CONNECT proxy: POP3S, IMAPS (imapflow's own proxy support) and
// Graph over HTTPS reach the rig only through a real proxy on loopback, which records each tunnel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConnectProxy, type TestProxy } from "@/e2e/support/connect-proxy";
import { sampleFetch } from "./sample-fetch";
import type { SourceSettings } from "./source";
import {
  deliverMails,
  oauthFromRig,
  passwordFromRig,
  SCOPES,
  sourceFrom,
  testRig,
  uniqueName,
} from "@/e2e/support/mail-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;
let proxy: TestProxy;

beforeAll(async () => {
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await proxy.stop();
});

function settings(over: Partial<SourceSettings>): SourceSettings {
  return {
    protocol: "imaps",
    startTls: true,
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    mailbox: alice,
    folder: "INBOX",
    ca: rig.ca,
    timeoutMs: 8000,
    proxy: proxy.url,
    ...over,
  };
}

describe("through the configured proxy", () => {
  it("POP3S: the tunnel is the connect step, TLS and login go through it", async () => {
    const subject = uniqueName("proxied-pop");
    await deliverMails(rig, alice, "INBOX", [subject]);
    const result = await sampleFetch(
      sourceFrom(settings({ protocol: "pops", port: rig.pop3.tlsPort }), passwordFromRig(rig, "alice")),
    );
    expect(result.ok, JSON.stringify(result.steps)).toBe(true);
    expect(result.steps.find((s) => s.name === "connect")?.detail).toContain("through the proxy");
    expect(proxy.seen).toContain(`CONNECT ${rig.pop3.host}:${rig.pop3.tlsPort}`);
  });

  it("IMAPS: imapflow tunnels through the proxy", async () => {
    const folder = uniqueName("Proxied");
    await deliverMails(rig, alice, folder, ["proxied imap"]);
    const result = await sampleFetch(sourceFrom(settings({ folder }), passwordFromRig(rig, "alice")));
    expect(result.ok && result.mail?.subject).toBe("proxied imap");
    expect(proxy.seen).toContain(`CONNECT ${rig.imap.host}:${rig.imap.tlsPort}`);
  });

  it("Graph: HTTPS through the tunnel, the certificate still verified", async () => {
    const folder = uniqueName("proxied-graph");
    await deliverMails(rig, alice, folder, ["proxied graph"]);
    const result = await sampleFetch(
      sourceFrom(
        settings({ protocol: "graph", connectUrl: rig.graph.baseUrl, folder }),
        oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.graph }),
      ),
    );
    expect(result.ok && result.mail?.subject).toBe("proxied graph");
    const graph = new URL(rig.graph.baseUrl);
    expect(proxy.seen).toContain(`CONNECT ${graph.hostname}:${graph.port}`);
  });

  it("a proxy that refuses the tunnel fails at the connect step", async () => {
    const result = await sampleFetch(
      sourceFrom(
        settings({ protocol: "pops", port: rig.pop3.tlsPort, proxy: "http://127.0.0.1:1" }),
        passwordFromRig(rig, "alice"),
      ),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failedStep).toBe("connect");
  });
});
