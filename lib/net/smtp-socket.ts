import "server-only";
// nodemailer resolves and connects by itself; its `getSocket` hook hands it a socket opened under the outbound
// policy instead (directly to a checked address, or through MAILBRIDGE_HTTPS_PROXY), which it then upgrades
// to TLS (implicit or STARTTLS) as configured.
import type net from "node:net";
import { connectGuarded } from "./guarded-socket";

export type NodemailerGetSocket = (
  options: { host?: string; port?: number },
  callback: (error: Error | null, socketOptions?: { connection: net.Socket }) => void,
) => void;

/** `getSocket` for nodemailer's SMTP transport: `createTransport({ host, port, …, getSocket: guardedSmtpSocket() })`. */
export function guardedSmtpSocket(opts: { timeoutMs?: number } = {}): NodemailerGetSocket {
  return (options, callback) => {
    connectGuarded({
      host: String(options.host ?? ""),
      port: Number(options.port ?? 587),
      timeoutMs: opts.timeoutMs ?? 15_000,
    }).then(
      (connection) => callback(null, { connection }),
      (error: Error) => callback(error),
    );
  };
}
