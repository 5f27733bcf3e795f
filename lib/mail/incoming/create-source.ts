// The adapter for a validated configuration: one branch per protocol, checked exhaustively.
import { EwsSource } from "./ews-source";
import { GraphSource } from "./graph-source";
import { ImapSource } from "./imap-source";
import { Pop3Source } from "./pop3-source";
import type { MailboxSourceConfig, SourceConfigOf } from "./source-config";
import type { IncomingSource, SourceSettings } from "./source";

type Common = Pick<SourceSettings, "folder" | "ca" | "proxy" | "timeoutMs" | "tokenRenewMarginMs">;

function commonOf(config: MailboxSourceConfig): Common {
  const { folder, ca, proxy, timeoutMs, tokenRenewMarginMs } = config;
  return { folder, ca, proxy, timeoutMs, tokenRenewMarginMs };
}

/** The adapters' settings for a mail server: implicit TLS is the protocol's "s" variant. */
function mailServerSettings(config: SourceConfigOf<"imap" | "pop3">, plain: "imap" | "pop"): SourceSettings {
  return {
    ...commonOf(config),
    protocol: config.security === "tls" ? `${plain}s` : plain,
    startTls: config.security !== "none",
    host: config.host,
    port: config.port,
    mailbox: config.auth.user,
  };
}

function httpSettings(config: SourceConfigOf<"graph" | "ews">, connectUrl: string): SourceSettings {
  return {
    ...commonOf(config),
    protocol: config.protocol,
    startTls: false,
    host: "",
    port: 443,
    connectUrl,
    mailbox: config.mailbox,
  };
}

export function createSource(config: MailboxSourceConfig): IncomingSource {
  switch (config.protocol) {
    case "imap":
      return new ImapSource(mailServerSettings(config, "imap"), config.auth);
    case "pop3":
      return new Pop3Source(mailServerSettings(config, "pop"), config.auth);
    case "graph":
      return new GraphSource(httpSettings(config, config.baseUrl), config.auth);
    case "ews":
      return new EwsSource({ ...httpSettings(config, config.url), impersonate: config.impersonate }, config.auth);
    default:
      return unknownProtocol(config);
  }
}

function unknownProtocol(config: never): never {
  throw new Error(`no adapter for ${JSON.stringify((config as { protocol?: unknown }).protocol)}`);
}
