// A real HTTP proxy on loopback for tests: CONNECT tunnels and absolute-URI requests, recording what passes.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

export type TestProxy = { url: string; seen: string[]; stop(): Promise<void> };

export async function startConnectProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  // Tunnels leave the HTTP server's bookkeeping: track them to end them on stop.
  const tunnels = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    tunnels.add(socket);
    socket.once("close", () => tunnels.delete(socket));
  };
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(new URL(req.url ?? ""), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    track(client as net.Socket);
    const at = (req.url ?? "").lastIndexOf(":");
    const upstream = net.connect(
      Number((req.url ?? "").slice(at + 1)),
      (req.url ?? "").slice(0, at).replace(/^\[|\]$/g, ""),
      () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      },
    );
    track(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async stop() {
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
