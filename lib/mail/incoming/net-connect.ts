// Opening a mail-server connection step by step (resolve, connect, TLS) so each step is timed and a failure
// names the step. Every target passes the outbound policy (lib/net) before anything is sent to it. Certificates are always verified: against the system CAs plus an optional extra CA.
import net from "node:net";
import tls from "node:tls";
import { checkLiteralTarget, checkTarget, connectChecked, tunnel, type ResolvedTarget } from "@/lib/net";
import type { StepRecorder } from "./steps";

export type Endpoint = {
  host: string;
  port: number;
  ca?: string;
  timeoutMs?: number;
  /** http://[user:pass@]proxy:port (HTTP CONNECT) */ proxy?: string;
};

export function trustedCas(extraCa?: string): string[] | undefined {
  return extraCa ? [...tls.rootCertificates, extraCa] : undefined;
}

const contexts = new Map<string, tls.SecureContext>();
const MAX_CONTEXTS = 32;

/**
 * The TLS context for the system roots plus an extra CA, built once per CA: parsing every root certificate
 * again costs more per connection than the handshake. Carries the minimum version (a given context wins over
 * the connection's own context options).
 */
export function trustedContext(extraCa?: string): tls.SecureContext | undefined {
  if (!extraCa) return undefined;
  let context = contexts.get(extraCa);
  if (!context) {
    context = tls.createSecureContext({ ca: trustedCas(extraCa), minVersion: "TLSv1.2" });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(extraCa, context);
  }
  return context;
}

/**
 * Resolves the host (DNS with a deadline) and checks every address against the outbound policy before any
 * connection is tried, so a refused target is refused the same way whether its port is open or closed.
 */
export async function resolveHost(steps: StepRecorder, host: string, port: number): Promise<ResolvedTarget> {
  return steps.run(
    "resolve",
    () => checkTarget(host, port, { field: "host" }),
    (target) =>
      target.literal
        ? `${target.written ? `${target.written} = ` : ""}${target.host} is an IP address`
        : `${target.host} → ${target.addresses.map((a) => a.address).join(", ")}`,
  );
}

/** Connects to the checked address itself: no second DNS answer is trusted. */
export async function connectTcp(steps: StepRecorder, endpoint: Endpoint, target: ResolvedTarget): Promise<net.Socket> {
  return steps.run(
    "connect",
    () => connectChecked(target, endpoint.port, endpoint.timeoutMs),
    () => `${target.addresses[0].address}:${endpoint.port}`,
  );
}

/**
 * A TCP connection to the endpoint through an HTTP CONNECT proxy (corporate networks that allow outbound
 * connections only through one). The proxy resolves the server's name; an IP literal is checked here first.
 */
export async function connectViaProxy(
  steps: StepRecorder,
  endpoint: Endpoint & { proxy: string },
): Promise<net.Socket> {
  const proxy = new URL(endpoint.proxy);
  await steps.run(
    "resolve",
    async () => checkLiteralTarget(endpoint.host, endpoint.port, { field: "host" }),
    () => `${endpoint.host} is resolved by the proxy ${proxy.host}`,
  );
  return steps.run(
    "connect",
    () => tunnel(proxy, endpoint),
    () => `${endpoint.host}:${endpoint.port} through the proxy ${proxy.host}`,
  );
}

/** Connects to the endpoint, directly or through its proxy, timing each step. */
export async function openTcp(steps: StepRecorder, endpoint: Endpoint): Promise<net.Socket> {
  if (endpoint.proxy) return connectViaProxy(steps, { ...endpoint, proxy: endpoint.proxy });
  return connectTcp(steps, endpoint, await resolveHost(steps, endpoint.host, endpoint.port));
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
  socket.setTimeout(ms, () =>
    socket.destroy(
      Object.assign(new Error(`no answer from the server for ${Math.round(ms / 1000)} s`), { code: "ETIMEDOUT" }),
    ),
  );
}
