// The adapter for the settings, and the list of servers to try in order: the server, then the alternate
// (SMTP only: Graph and EWS are one service URL).
import { EwsTransport } from "./ews-transport";
import { GraphTransport } from "./graph-transport";
import { SmtpTransport } from "./smtp-transport";
import type { OutgoingAuth, OutgoingSettings, OutgoingTransport } from "./transport";

export type TransportSettings = OutgoingSettings & { alternateHost?: string | null; enableTls: boolean };

export function createTransports(settings: TransportSettings, auth: OutgoingAuth): OutgoingTransport[] {
  if (settings.protocol === "graph") return [new GraphTransport(settings, auth)];
  if (settings.protocol === "ews") return [new EwsTransport(settings, auth)];
  const implicitTls = settings.protocol === "smtps";
  const hosts = [settings.host, settings.alternateHost].filter((host): host is string => Boolean(host && host.trim()));
  return hosts.map(
    (host) =>
      new SmtpTransport(
        { host, port: settings.port, implicitTls, requireTls: implicitTls || settings.enableTls, ca: settings.ca, proxy: settings.proxy, timeoutMs: settings.timeoutMs },
        auth,
      ),
  );
}
