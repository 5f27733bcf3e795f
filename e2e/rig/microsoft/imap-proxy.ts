// Exchange Online's IMAP service (outlook.office365.com:993) as the rig double: a TLS front that does the
// Exchange side of the login itself — XOAUTH2 checked by introspection, basic auth refused, a token whose user
// may not open the mailbox "authenticated but not connected" — and then relays bytes to the rig's Dovecot,
// logged in to that mailbox with the same token. When the token expires mid-session the client gets
// `* BYE Session invalidated - AccessTokenExpired`, as Exchange sends it.
import net from "node:net";
import tls from "node:tls";
import { checkMailboxAccess, parseXoauth2, tokenPrefix, type Introspect } from "./access";
import { LineConnection } from "./line-connection";
import type { Logger } from "./logger";

/** Opens an IMAP session for `mailbox` at the backend, logged in with `token`; the socket is past the login. */
export type ImapBackend = (mailbox: string, token: string) => Promise<{ socket: net.Socket; leftover: Buffer }>;

export type ImapProxyOptions = {
  tls: { key: string; cert: string };
  introspect: Introspect;
  backend: ImapBackend;
  log: Logger;
  hostname?: string;
};

const CAPABILITY =
  "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+";
const CAPABILITY_AUTHENTICATED =
  "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE CHILDREN IDLE NAMESPACE LITERAL+";

export function createImapProxy(opts: ImapProxyOptions): tls.Server {
  const server = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) => {
    socket.on("error", () => socket.destroy());
    serve(new LineConnection(socket), opts).catch((error: Error) => {
      opts.log(`imap: session failed: ${error.message}`);
      socket.destroy();
    });
  });
  server.on("tlsClientError", () => undefined);
  return server;
}

async function serve(conn: LineConnection, opts: ImapProxyOptions): Promise<void> {
  const host = opts.hostname ?? "outlook.office365.com";
  conn.writeLine(
    `* OK The Microsoft Exchange IMAP4 service is ready. [${Buffer.from(host, "utf16le").toString("base64")}]`,
  );
  // Exchange accepts the login of a token whose user may not open the mailbox and fails every later command.
  let notConnected = false;
  let notConnectedReplies = 0;

  for (;;) {
    const line = await conn.readLine();
    if (line === null) return;
    const match = /^(\S+) (\S+)(?: (.*))?$/.exec(line);
    if (!match) {
      conn.writeLine("* BAD Command Error. 10");
      continue;
    }
    const [, tag, verb, rest = ""] = match;
    const command = verb.toUpperCase();

    if (command === "LOGOUT") {
      conn.writeLine("* BYE Microsoft Exchange Server IMAP4 server signing off.");
      conn.writeLine(`${tag} OK LOGOUT completed.`);
      conn.close();
      return;
    }
    if (command === "CAPABILITY") {
      conn.writeLine(`* CAPABILITY ${notConnected ? CAPABILITY_AUTHENTICATED : CAPABILITY}`);
      conn.writeLine(`${tag} OK CAPABILITY completed.`);
      continue;
    }
    if (command === "NOOP") {
      conn.writeLine(`${tag} OK NOOP completed.`);
      continue;
    }
    if (command === "ID") {
      conn.writeLine("* ID NIL");
      conn.writeLine(`${tag} OK ID completed.`);
      continue;
    }
    if (notConnected) {
      conn.writeLine(`${tag} BAD User is authenticated but not connected.`);
      if (++notConnectedReplies >= 2) {
        conn.writeLine("* BYE Connection closed. 14");
        conn.close();
        return;
      }
      continue;
    }
    if (command === "LOGIN") {
      // Basic authentication is switched off for IMAP in Exchange Online.
      conn.writeLine(`${tag} NO LOGIN failed.`);
      continue;
    }
    if (command === "AUTHENTICATE") {
      const outcome = await authenticate(conn, tag, rest, opts);
      if (outcome === "closed") return;
      if (outcome === "not-connected") notConnected = true;
      if (outcome === "relayed") return;
      continue;
    }
    conn.writeLine(`${tag} BAD Command received in Invalid state.`);
  }
}

async function authenticate(
  conn: LineConnection,
  tag: string,
  rest: string,
  opts: ImapProxyOptions,
): Promise<"failed" | "not-connected" | "relayed" | "closed"> {
  const [mechanism = "", initial] = rest.split(" ");
  if (mechanism.toUpperCase() !== "XOAUTH2") {
    if (mechanism.toUpperCase() === "PLAIN" && initial === undefined) {
      conn.writeLine("+ ");
      if ((await conn.readLine()) === null) return "closed";
    }
    conn.writeLine(`${tag} NO AUTHENTICATE failed.`);
    return "failed";
  }
  let response = initial;
  if (response === undefined) {
    conn.writeLine("+ ");
    const line = await conn.readLine();
    if (line === null) return "closed";
    response = line;
  }
  const credentials = parseXoauth2(response);
  if (!credentials) {
    conn.writeLine(`${tag} NO AUTHENTICATE failed.`);
    return "failed";
  }
  const mailbox = credentials.user.toLowerCase();
  const access = await checkMailboxAccess(opts.introspect, credentials.token, "mail", mailbox);
  if (!access.ok) {
    opts.log(`imap: XOAUTH2 for ${mailbox} with ${tokenPrefix(credentials.token)}: ${access.reason}`);
    if (access.reason === "invalid") {
      conn.writeLine(`${tag} NO AUTHENTICATE failed.`);
      return "failed";
    }
    conn.writeLine(`${tag} OK AUTHENTICATE completed.`);
    return "not-connected";
  }

  let backend: { socket: net.Socket; leftover: Buffer };
  try {
    backend = await opts.backend(mailbox, credentials.token);
  } catch (error) {
    opts.log(`imap: backend login for ${mailbox} failed: ${(error as Error).message}`);
    conn.writeLine(`${tag} NO AUTHENTICATE failed.`);
    return "failed";
  }
  opts.log(`imap: ${mailbox} authenticated with ${tokenPrefix(credentials.token)}, relaying`);
  conn.writeLine(`${tag} OK AUTHENTICATE completed.`);
  relay(conn, backend, access.exp, opts);
  return "relayed";
}

function relay(
  conn: LineConnection,
  backend: { socket: net.Socket; leftover: Buffer },
  exp: number | null,
  opts: ImapProxyOptions,
): void {
  const client = conn.socket;
  const server = backend.socket;
  const pending = conn.handOver();
  if (pending.length > 0) server.write(pending);
  if (backend.leftover.length > 0) client.write(backend.leftover);
  client.pipe(server);
  server.pipe(client);
  let expiry: NodeJS.Timeout | undefined;
  const finish = () => {
    clearTimeout(expiry);
    client.destroy();
    server.destroy();
  };
  client.on("close", finish);
  server.on("close", finish);
  server.on("error", finish);
  const left = exp === null ? Infinity : exp * 1000 - Date.now();
  // Longer than a timer can wait (about 24.8 days): no session of a test run lives that long.
  if (left < 2 ** 31 - 1) {
    expiry = setTimeout(
      () => {
        opts.log("imap: access token expired, session invalidated");
        server.unpipe(client);
        client.end("* BYE Session invalidated - AccessTokenExpired\r\n");
        server.destroy();
      },
      Math.max(0, left),
    );
  }
}

/** The rig's Dovecot as backend: plain IMAP on loopback, AUTHENTICATE XOAUTH2 with the client's own token. */
export function dovecotBackend(imap: { host: string; port: number }): ImapBackend {
  return async (mailbox, token) => {
    const socket = net.connect({ host: imap.host, port: imap.port });
    socket.on("error", () => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
    const conn = new LineConnection(socket);
    const greeting = await conn.readLine();
    if (!greeting?.startsWith("* OK")) throw new Error(`backend greeting: ${greeting ?? "closed"}`);
    const sasl = Buffer.from(`user=${mailbox}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
    conn.writeLine(`X1 AUTHENTICATE XOAUTH2 ${sasl}`);
    for (;;) {
      const line = await conn.readLine();
      if (line === null) throw new Error("backend closed during login");
      // A SASL error challenge: answer empty to get the tagged NO.
      if (line.startsWith("+")) conn.writeLine("");
      else if (line.startsWith("X1 OK")) return { socket, leftover: conn.handOver() };
      else if (line.startsWith("X1 ")) {
        socket.destroy();
        throw new Error(`backend refused the login: ${line}`);
      }
    }
  };
}
