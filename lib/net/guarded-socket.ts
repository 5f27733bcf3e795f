import "server-only";
// Sockets under the outbound policy for protocol clients (POP3, SMTP through nodemailer's getSocket, HTTPS
// agents): the target is checked before connecting and the connection opens only to checked addresses.
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import { config } from "@/lib/config";
import { checkLiteralTarget, checkTarget, guardedLookup, type ResolvedTarget } from "./outbound-check";
import { tunnel } from "./proxy-tunnel";

/** A plain TCP socket to a target the policy allows: directly to a checked address, or through the proxy. */
export async function connectGuarded(target: {
  host: string;
  port: number;
  timeoutMs?: number;
  proxy?: string;
}): Promise<net.Socket> {
  const proxy = target.proxy ?? config().httpsProxy;
  if (proxy) return tunnel(new URL(proxy), target);
  const checked = await checkTarget(target.host, target.port);
  return connectChecked(checked, target.port, target.timeoutMs);
}

/** Connects to the first address of an already checked target (no second DNS answer to trust). */
export function connectChecked(target: ResolvedTarget, port: number, timeoutMs = 15_000): Promise<net.Socket> {
  const { address } = target.addresses[0];
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connection to ${target.host}:${port} timed out`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** An https.Agent whose every connection is checked: IP literals before connecting, names in the lookup. */
export class GuardedHttpsAgent extends https.Agent {
  override createConnection(
    options: https.RequestOptions,
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex | null | undefined {
    const port = Number(options.port || 443);
    try {
      checkLiteralTarget(String(options.hostname ?? options.host ?? ""), port);
    } catch (error) {
      process.nextTick(() => callback?.(error as Error, undefined as never));
      return undefined;
    }
    return super.createConnection({ ...options, lookup: guardedLookup(port) }, callback);
  }
}
