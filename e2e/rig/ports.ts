// Free loopback ports and readiness checks for the rig's servers, and the fixed ports of a rig that must keep
// its addresses across restarts (the demo).
import net from "node:net";

/** Every port a client of the rig connects to; a rig started without them listens on free ones. */
export type RigPorts = {
  auth: number;
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
  submission: number;
  smtps: number;
  exchangeImaps: number;
  exchangePop3s: number;
  exchangePop3sNoTop: number;
  exchangeSmtp: number;
  graph: number;
  ews: number;
};

const PORT_ORDER: (keyof RigPorts)[] = [
  "auth",
  "imap",
  "imaps",
  "pop3",
  "pop3s",
  "submission",
  "smtps",
  "exchangeImaps",
  "exchangePop3s",
  "exchangePop3sNoTop",
  "exchangeSmtp",
  "graph",
  "ews",
];
export const RIG_PORT_COUNT = PORT_ORDER.length;

/** `RIG_PORT_COUNT` consecutive ports from `base`, in a fixed order. */
export function consecutiveRigPorts(base: number): RigPorts {
  if (!Number.isInteger(base) || base < 1024 || base + RIG_PORT_COUNT > 65536)
    throw new Error(`rig ports must start at a whole number from 1024 to ${65536 - RIG_PORT_COUNT}, not ${base}`);
  return Object.fromEntries(PORT_ORDER.map((name, index) => [name, base + index])) as RigPorts;
}

/** The given fixed ports, or free ones. */
export async function portsOr(fixed: number[] | undefined, count: number): Promise<number[]> {
  return fixed ?? freePorts(count);
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once every port accepts a TCP connection; rejects after timeoutMs or when `stillRunning` says no. */
export async function waitForPorts(
  host: string,
  ports: number[],
  opts: { timeoutMs?: number; what: string; stillRunning?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  const pending = new Set(ports);
  while (pending.size > 0) {
    if (opts.stillRunning && !opts.stillRunning()) throw new Error(`${opts.what} exited before it was ready`);
    for (const port of [...pending]) {
      if (await tryConnect(host, port)) pending.delete(port);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${opts.what} did not open port(s) ${[...pending].join(", ")} within ${opts.timeoutMs ?? 5000} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
