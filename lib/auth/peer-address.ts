import type { IncomingMessage } from "node:http";

/**
 * The connection's own address, written by the console's HTTP server (Next does not expose the socket to
 * pages and actions). Set on every request, so a value sent by the client never survives.
 * Imported by lib/cli/start.ts directly: the CLI must not load the rest of lib/auth.
 */
export const PEER_HEADER = "x-mailbridge-peer";

export function stampPeerAddress(req: IncomingMessage): void {
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
}
