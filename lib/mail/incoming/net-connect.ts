// Opening a mail-server connection step by step (resolve, connect, TLS) so each step is timed and a failure
// names the step. Certificates are always verified: against the system CAs plus an optional extra CA.
import { lookup } from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";
import type { StepRecorder } from "./steps";

export type Endpoint = { host: string; port: number; ca?: string; timeoutMs?: number };

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
