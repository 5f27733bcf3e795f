// The adapter for the settings, and the list of servers to try in order: the server, then the alternate
// (SMTP only: Graph and EWS are one service URL).
import { EwsTransport } from "./ews-transport";
import { GraphTransport } from "./graph-transport";
import { SmtpTransport } from "./smtp-transport";
import type { OutgoingAuth, OutgoingSettings, OutgoingTransport } from "./transport";

export type TransportSettings = OutgoingSettings & { alternateHost?: string | null; enableTls: boolean };

/** "host" or "host:port" (an alternate relay may listen on another port); IPv6 in brackets. */
export function alternateServer(value: string, defaultPort: number): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (!match) return { host: value.replace(/^\[|\]$/g, ""), port: defaultPort };
  return { host: match[1].replace(/^\[|\]$/g, ""), port: Number(match[2]) };
}

export function createTransports(settings: TransportSettings, auth: OutgoingAuth): OutgoingTransport[] {
  if (settings.protocol === "graph") return [new GraphTransport(settings, auth)];
  if (settings.protocol === "ews") return [new EwsTransport(settings, auth)];
  const implicitTls = settings.protocol === "smtps";
  const servers = [{ host: settings.host, port: settings.port }];
  if (settings.alternateHost?.trim()) servers.push(alternateServer(settings.alternateHost.trim(), settings.port));
  return servers.map(
    ({ host, port }) =>
      new SmtpTransport(
        {
          host,
          port,
          implicitTls,
          requireTls: implicitTls || settings.enableTls,
          ca: settings.ca,
          proxy: settings.proxy,
          timeoutMs: settings.timeoutMs,
        },
        auth,
      ),
  );
}
