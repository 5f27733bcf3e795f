// Free loopback ports and readiness checks for the rig's servers.
import net from "node:net";

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
