import "server-only";
// A TCP connection through an HTTP CONNECT proxy (corporate networks that allow outbound connections only
// through one). The proxy resolves the target's name; IP-literal targets are checked against the policy first.
import net from "node:net";
import { checkLiteralTarget } from "./outbound-check";

export type TunnelTarget = { host: string; port: number; timeoutMs?: number };

export function tunnel(proxy: URL, target: TunnelTarget): Promise<net.Socket> {
  const host = checkLiteralTarget(target.host, target.port);
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({
      host: proxy.hostname.replace(/^\[|\]$/g, ""),
      port: Number(proxy.port || (proxy.protocol === "https:" ? 443 : 80)),
    });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`the proxy ${proxy.host} did not answer in time`), { code: "ETIMEDOUT" })),
      target.timeoutMs ?? 15_000,
    );
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${target.port}`;
    const auth = proxy.username
      ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}\r\n`
      : "";
    socket.once("connect", () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`));
    socket.once("error", fail);
    let answer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) return answer.length > 16_384 ? fail(new Error("the proxy's answer is too long")) : undefined;
      socket.off("data", onData);
      const status = answer.subarray(0, answer.indexOf("\r\n")).toString("latin1");
      if (!/^HTTP\/1\.[01] 2\d\d/.test(status))
        return fail(
          Object.assign(new Error(`the proxy refused the tunnel to ${authority}: ${status}`), { code: "EPROXY" }),
        );
      clearTimeout(timer);
      socket.off("error", fail);
      const rest = answer.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on("data", onData);
  });
}
