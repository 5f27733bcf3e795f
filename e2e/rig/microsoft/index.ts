// startMicrosoftDoubles(): the Microsoft-only servers of the rig — Exchange Online's IMAP, POP3 and SMTP
// quirks, the Microsoft Graph mail API and EWS — on free loopback ports, all reading and changing the
// mailboxes the rig's Dovecot serves (through doveadm), all checking tokens with the authorization server's
// introspection.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import type { RigInfo } from "../info";
import type { Introspect } from "./access";
import { DoveadmMailStore } from "./doveadm-mail-store";
import { handleEws } from "./ews-server";
import { handleGraph } from "./graph-server";
import { readBody, sendJson } from "./http-util";
import { createImapProxy, dovecotBackend, type ImapBackend } from "./imap-proxy";
import { fileLogger, type Logger } from "./logger";
import type { MailStore } from "./mail-store";
import { MailboxDirectory } from "./mailbox-directory";
import { createPop3Server } from "./pop3-server";
import { sinkDirOutbox } from "./sent-mail";
import { createSmtpServer } from "./smtp-server";

export type MicrosoftDoublesOptions = {
  dir: string;
  logDir: string;
  tls: { key: string; cert: string };
  introspect: Introspect;
  dovecotConf: string;
  imap: { host: string; port: number; tlsPort: number };
  pop3: { host: string; port: number; tlsPort: number };
  smtp: { host: string; submissionPort: number };
  /** the rig's SMTP sink folder: mail sent through SMTP, Graph or EWS is written there (default: <dir>/sent) */
  sinkDir?: string;
  /** mailboxes with SMTP AUTH switched off from the start */
  smtpAuthDisabled?: string[];
  /** for tests: another mail store than the rig's Dovecot */
  store?: MailStore;
  /** for tests: another IMAP backend than the rig's Dovecot */
  imapBackend?: ImapBackend;
  /** POP3S, IMAPS, SMTP, Graph, EWS, POP3S without TOP (free ports when omitted) */
  ports?: [number, number, number, number, number, number];
  /** for tests: where to log (default: files under logDir) */
  log?: Logger;
};

export type MicrosoftDoubles = {
  exchange: RigInfo["exchange"];
  graph: RigInfo["graph"];
  ews: RigInfo["ews"];
  /** switches SMTP AUTH on or off for a mailbox (also over HTTP: see control.ts) */
  setSmtpAuthEnabled(mailbox: string, enabled: boolean): void;
  stop(): Promise<void>;
};

const HOST = "127.0.0.1";

export async function startMicrosoftDoubles(opts: MicrosoftDoublesOptions): Promise<MicrosoftDoubles> {
  const store = opts.store ?? new DoveadmMailStore(opts.dovecotConf);
  const directory = new MailboxDirectory(store);
  const logFor = (name: string): Logger => opts.log ?? fileLogger(opts.logDir, name);
  const outbox = sinkDirOutbox(opts.sinkDir ?? path.join(opts.dir, "sent"));
  const smtpAuthDisabled = new Set((opts.smtpAuthDisabled ?? []).map((m) => m.toLowerCase()));
  const setSmtpAuthEnabled = (mailbox: string, enabled: boolean) => {
    if (enabled) smtpAuthDisabled.delete(mailbox.toLowerCase());
    else smtpAuthDisabled.add(mailbox.toLowerCase());
  };

  const pop3 = createPop3Server({ tls: opts.tls, introspect: opts.introspect, store, log: logFor("exchange-pop3") });
  const pop3NoTop = createPop3Server({
    tls: opts.tls,
    introspect: opts.introspect,
    store,
    log: logFor("exchange-pop3-no-top"),
    offerTop: false,
  });
  const imap = createImapProxy({
    tls: opts.tls,
    introspect: opts.introspect,
    backend: opts.imapBackend ?? dovecotBackend(opts.imap),
    log: logFor("exchange-imap"),
  });
  const smtp = createSmtpServer({
    tls: opts.tls,
    introspect: opts.introspect,
    store,
    outbox,
    smtpAuthEnabled: (mailbox) => !smtpAuthDisabled.has(mailbox.toLowerCase()),
    log: logFor("exchange-smtp"),
  });

  // Requests in a Graph batch still to be answered with 429, per mailbox (set through the control endpoint).
  const graphThrottle = new Map<string, number>();
  const throttled = (mailbox: string) => {
    const left = graphThrottle.get(mailbox) ?? 0;
    if (left > 0) graphThrottle.set(mailbox, left - 1);
    return left > 0;
  };
  // EWS requests still to be answered with ErrorServerBusy (and the back-off named), per mailbox.
  const ewsBusy = new Map<string, { requests: number; backOffMs: number }>();
  const busy = (mailbox: string) => {
    const left = ewsBusy.get(mailbox.toLowerCase());
    if (!left || left.requests <= 0) return null;
    left.requests--;
    return left.backOffMs;
  };
  const controls: Controls = {
    setSmtpAuthEnabled,
    throttleGraph: (mailbox, requests) => graphThrottle.set(mailbox.toLowerCase(), requests),
    ewsBusy: (mailbox, requests, backOffMs) => ewsBusy.set(mailbox.toLowerCase(), { requests, backOffMs }),
  };
  let graphBase = "";
  const graphLog = logFor("graph");
  const graph = https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    if (req.url?.startsWith("/rig/control/")) {
      void control(req, res, controls);
      return;
    }
    void handleGraph(req, res, {
      directory,
      introspect: opts.introspect,
      outbox,
      log: graphLog,
      baseUrl: () => graphBase,
      throttled,
    });
  });
  const ewsLog = logFor("ews");
  const ews = https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    void handleEws(req, res, { directory, introspect: opts.introspect, outbox, log: ewsLog, busy });
  });

  const servers: net.Server[] = [pop3, imap, smtp, graph, ews, pop3NoTop];
  const sockets = new Set<net.Socket>();
  for (const server of servers) {
    server.on("connection", (socket: net.Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
  }
  const [pop3Port, imapPort, smtpPort, graphPort, ewsPort, pop3NoTopPort] = await Promise.all(
    servers.map((server, index) => listen(server, opts.ports?.[index] ?? 0)),
  );
  graphBase = `https://${HOST}:${graphPort}/v1.0`;

  return {
    exchange: { host: HOST, imapTlsPort: imapPort, pop3TlsPort: pop3Port, pop3NoTopTlsPort: pop3NoTopPort, smtpPort },
    graph: { baseUrl: graphBase },
    ews: { url: `https://${HOST}:${ewsPort}/EWS/Exchange.asmx` },
    setSmtpAuthEnabled,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
}

type Controls = {
  setSmtpAuthEnabled(mailbox: string, enabled: boolean): void;
  throttleGraph(mailbox: string, requests: number): void;
  ewsBusy(mailbox: string, requests: number, backOffMs: number): void;
};

/**
 * POST /rig/control/microsoft/smtp-auth {mailbox, enabled}: the "Authenticated SMTP" switch of a mailbox.
 * POST /rig/control/microsoft/graph-throttle {mailbox, requests}: that many of the mailbox's next requests in
 * a Graph batch are answered 429 with Retry-After.
 * POST /rig/control/microsoft/ews-busy {mailbox, requests, backOffMs}: that many of the mailbox's next EWS
 * requests are answered with the ErrorServerBusy fault naming BackOffMilliseconds.
 */
async function control(req: http.IncomingMessage, res: http.ServerResponse, controls: Controls): Promise<void> {
  const call =
    req.method === "POST"
      ? /^\/rig\/control\/microsoft\/(smtp-auth|graph-throttle|ews-busy)$/.exec(req.url ?? "")
      : null;
  if (!call) {
    sendJson(res, 404, { error: "unknown control call" });
    return;
  }
  try {
    const body = JSON.parse((await readBody(req)).toString("utf8")) as {
      mailbox?: unknown;
      enabled?: unknown;
      requests?: unknown;
      backOffMs?: unknown;
    };
    if (typeof body.mailbox !== "string") throw new Error("mailbox required");
    if (call[1] === "ews-busy") {
      const whole = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
      if (!whole(body.requests) || !whole(body.backOffMs))
        throw new Error("requests and backOffMs (whole numbers) required");
      controls.ewsBusy(body.mailbox, body.requests as number, body.backOffMs as number);
      sendJson(res, 200, { mailbox: body.mailbox.toLowerCase(), busyRequests: body.requests });
      return;
    }
    if (call[1] === "graph-throttle") {
      if (typeof body.requests !== "number" || !Number.isInteger(body.requests) || body.requests < 0)
        throw new Error("requests (a whole number) required");
      controls.throttleGraph(body.mailbox, body.requests);
      sendJson(res, 200, { mailbox: body.mailbox.toLowerCase(), throttledRequests: body.requests });
      return;
    }
    if (typeof body.enabled !== "boolean") throw new Error("mailbox and enabled required");
    controls.setSmtpAuthEnabled(body.mailbox, body.enabled);
    sendJson(res, 200, { mailbox: body.mailbox.toLowerCase(), smtpAuthEnabled: body.enabled });
  } catch (error) {
    sendJson(res, 400, { error: (error as Error).message });
  }
}
