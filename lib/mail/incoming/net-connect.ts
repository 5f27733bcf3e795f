// Opening a mail-server connection step by step (resolve, connect, TLS) so each step is timed and a failure
// names the step. Certificates are always verified: against the system CAs plus an optional extra CA.
import { lookup } from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";
import type { StepRecorder } from "./steps";

export type Endpoint = { host: string; port: number; ca?: string; timeoutMs?: number; /** http://[user:pass@]proxy:port (HTTP CONNECT) */ proxy?: string };

export function trustedCas(extraCa?: string): string[] | undefined {
  return extraCa ? [...tls.rootCertificates, extraCa] : undefined;
}

export async function resolveHost(steps: StepRecorder, host: string): Promise<string> {
  if (net.isIP(host)) {
    steps.record("resolve", true, 0, `${host} is an IP address`);
    return host;
  }
  return steps.run(
    "resolve",
    async () => (await lookup(host)).address,
    (address) => `${host} → ${address}`,
  );
}

export async function connectTcp(steps: StepRecorder, endpoint: Endpoint, address: string): Promise<net.Socket> {
  return steps.run(
    "connect",
    () =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ host: address, port: endpoint.port });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(Object.assign(new Error(`connection to ${endpoint.host}:${endpoint.port} timed out`), { code: "ETIMEDOUT" }));
        }, endpoint.timeoutMs ?? 15_000);
        socket.once("connect", () => {
          clearTimeout(timer);
          resolve(socket);
        });
        socket.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      }),
    () => `${address}:${endpoint.port}`,
  );
}

/**
 * A TCP connection to the endpoint through an HTTP CONNECT proxy (corporate networks that allow outbound
 * connections only through one). The proxy resolves the server's name.
 */
export async function connectViaProxy(steps: StepRecorder, endpoint: Endpoint & { proxy: string }): Promise<net.Socket> {
  const proxy = new URL(endpoint.proxy);
  steps.record("resolve", true, 0, `${endpoint.host} is resolved by the proxy ${proxy.host}`);
  return steps.run(
    "connect",
    () => tunnel(proxy, endpoint),
    () => `${endpoint.host}:${endpoint.port} through the proxy ${proxy.host}`,
  );
}

export function tunnel(proxy: URL, endpoint: Endpoint): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: proxy.hostname.replace(/^\[|\]$/g, ""), port: Number(proxy.port || (proxy.protocol === "https:" ? 443 : 80)) });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error(`the proxy ${proxy.host} did not answer in time`), { code: "ETIMEDOUT" })), endpoint.timeoutMs ?? 15_000);
    const target = `${net.isIPv6(endpoint.host) ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
    const auth = proxy.username ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}\r\n` : "";
    socket.once("connect", () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`));
    socket.once("error", fail);
    let answer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) return answer.length > 16_384 ? fail(new Error("the proxy's answer is too long")) : undefined;
      socket.off("data", onData);
      const status = answer.subarray(0, answer.indexOf("\r\n")).toString("latin1");
      if (!/^HTTP\/1\.[01] 2\d\d/.test(status)) return fail(Object.assign(new Error(`the proxy refused the tunnel to ${target}: ${status}`), { code: "EPROXY" }));
      clearTimeout(timer);
      socket.off("error", fail);
      const rest = answer.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on("data", onData);
  });
}

/** Connects to the endpoint, directly or through its proxy, timing each step. */
export async function openTcp(steps: StepRecorder, endpoint: Endpoint): Promise<net.Socket> {
  if (endpoint.proxy) return connectViaProxy(steps, { ...endpoint, proxy: endpoint.proxy });
  return connectTcp(steps, endpoint, await resolveHost(steps, endpoint.host));
}

/** TLS over a connected socket; the certificate must be valid for `endpoint.host`. */
export async function startTls(steps: StepRecorder, endpoint: Endpoint, socket: net.Socket): Promise<tls.TLSSocket> {
  return steps.run(
    "tls",
    () =>
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const secure = tls.connect({
          socket,
          host: endpoint.host,
          servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
          ca: trustedCas(endpoint.ca),
          rejectUnauthorized: true,
          minVersion: "TLSv1.2",
        });
        const timer = setTimeout(() => {
          secure.destroy();
          reject(Object.assign(new Error("TLS handshake timed out"), { code: "ETIMEDOUT" }));
        }, endpoint.timeoutMs ?? 15_000);
        secure.once("secureConnect", () => {
          clearTimeout(timer);
          resolve(secure);
        });
        secure.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      }),
    (secure) => `${secure.getProtocol() ?? "TLS"}, certificate of ${subjectOf(secure)} verified`,
  );
}

function subjectOf(socket: tls.TLSSocket): string {
  const cert = socket.getPeerCertificate();
  return cert?.subject?.CN ? String(cert.subject.CN) : "the server";
}

/** A socket timing out after `ms` of silence ends with an ETIMEDOUT error. */
export function idleTimeout(socket: net.Socket, ms: number): void {
  socket.setTimeout(ms, () => socket.destroy(Object.assign(new Error(`no answer from the server for ${Math.round(ms / 1000)} s`), { code: "ETIMEDOUT" })));
}
