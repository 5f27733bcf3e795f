import "server-only";
// The stored outgoing settings turned into what the adapters need: settings, the auth (password or the OAuth
// connection's tokens through the token service) and the servers to try, in order.
import { config } from "@/lib/config";
import { extraCa } from "@/lib/mail/extra-ca";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { getAccessToken, ReconnectNeededError } from "@/lib/oauth";
import { createTransports, type TransportSettings } from "./create-transport";
import type { OutgoingAuth, OutgoingProtocol, OutgoingTransport } from "./transport";

export const SERVER_ID = "default";
export const RECONNECT_NEEDED = "RECONNECT_NEEDED";

export type ServerRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["outgoingServer"]["findUnique"]>>>;

export async function loadServer(): Promise<ServerRow | null> {
  return db().outgoingServer.findUnique({ where: { id: SERVER_ID } });
}

export async function authOf(row: ServerRow): Promise<OutgoingAuth> {
  if (row.authType === "password") {
    if (!row.password)
      throw new UserFacingError("Enter the password of the outgoing mail server.", { field: "password" });
    return { type: "password", user: row.username, password: row.password };
  }
  const connectionId = row.connectionId;
  if (!connectionId)
    throw new UserFacingError("Save the outgoing settings and sign in (OAuth consent) first.", { field: "authType" });
  return {
    type: "oauth",
    user: row.username,
    async getToken(opts) {
      const token = await getAccessToken(connectionId, { forceRefresh: opts?.forceRefresh }).catch((error: unknown) => {
        // Marked so the status says "reconnect needed", not just "failing".
        throw error instanceof ReconnectNeededError ? Object.assign(error, { code: RECONNECT_NEEDED }) : error;
      });
      return { accessToken: token.accessToken, expiresAt: token.expiresAt ?? null };
    },
  };
}

export async function transportSettingsOf(row: ServerRow): Promise<TransportSettings> {
  const appOnly = row.connectionId
    ? (await db().oAuthConnection.findUnique({ where: { id: row.connectionId }, select: { grantType: true } }))
        ?.grantType === "client_credentials"
    : false;
  return {
    protocol: row.protocol as OutgoingProtocol,
    host: row.host,
    alternateHost: row.alternateHost || null,
    port: row.port,
    connectUrl: row.connectUrl,
    enableTls: row.enableTls,
    mailbox: row.username,
    impersonate: row.protocol === "ews" && row.authType === "oauth" && appOnly,
    ca: extraCa(),
    proxy: config().httpsProxy,
    timeoutMs: 20_000,
  };
}

/** The servers to try in order; `alternateOnly` is for failure notices, which must not use the failing server. */
export async function transportsOf(
  row: ServerRow,
  opts: { alternateOnly?: boolean } = {},
): Promise<OutgoingTransport[]> {
  const settings = await transportSettingsOf(row);
  const transports = createTransports(settings, await authOf(row));
  return opts.alternateOnly && transports.length > 1 ? transports.slice(1) : transports;
}
