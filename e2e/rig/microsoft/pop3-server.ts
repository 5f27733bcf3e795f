// Exchange Online's POP3 service (outlook.office365.com:995) as the rig double: implicit TLS, XOAUTH2 only in
// the two-line form (the one-line `AUTH XOAUTH2 <b64>` is refused and the connection closed, exactly the
// quirk clients trip over), basic auth refused, and the INBOX of the mail store served as a POP3 maildrop.
import tls from "node:tls";
import { checkMailboxAccess, parseXoauth2, type Introspect } from "./access";
import { messageId } from "./item-ids";
import { LineConnection } from "./line-connection";
import type { MailStore, MessageMeta } from "./mail-store";
import type { Logger } from "./logger";

export type Pop3ServerOptions = {
  tls: { key: string; cert: string };
  introspect: Introspect;
  store: MailStore;
  log: Logger;
  hostname?: string;
  /** false: an older server without the optional TOP command (RFC 1939), neither in CAPA nor answered */
  offerTop?: boolean;
};

const SIGN_OFF = "+OK Microsoft Exchange Server POP3 server signing off.";
const AUTH_FAILED = "-ERR Authentication failure: unknown user name or bad password.";

export function createPop3Server(opts: Pop3ServerOptions): tls.Server {
  const server = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) => {
    socket.on("error", () => socket.destroy());
    serve(new LineConnection(socket), opts).catch((error: Error) => {
      opts.log(`pop3: session failed: ${error.message}`);
      socket.destroy();
    });
  });
  server.on("tlsClientError", () => undefined);
  return server;
}

type Maildrop = { mailbox: string; folderGuid: string; messages: MessageMeta[]; deleted: Set<number> };

async function serve(conn: LineConnection, opts: Pop3ServerOptions): Promise<void> {
  const host = opts.hostname ?? "outlook.office365.com";
  conn.writeLine(`+OK The Microsoft Exchange POP3 service is ready. [${Buffer.from(host).toString("base64")}]`);
  let drop: Maildrop | null = null;
  let basicUser: string | null = null;

  for (;;) {
    const line = await conn.readLine();
    if (line === null) return;
    const [verb = "", ...args] = line.split(" ");
    const command = verb.toUpperCase();

    if (command === "QUIT") {
      if (drop && drop.deleted.size > 0) {
        const uids = [...drop.deleted].map((n) => drop!.messages[n - 1].uid);
        await opts.store.expunge(drop.mailbox, "INBOX", uids);
      }
      conn.writeLine(SIGN_OFF);
      conn.close();
      return;
    }
    if (command === "NOOP") {
      conn.writeLine("+OK");
      continue;
    }
    if (command === "CAPA") {
      conn.write(`+OK\r\n${opts.offerTop === false ? "" : "TOP\r\n"}UIDL\r\nSASL PLAIN XOAUTH2\r\nUSER\r\n.\r\n`);
      continue;
    }

    if (drop === null) {
      if (command === "USER" && args.length > 0) {
        basicUser = args.join(" ");
        conn.writeLine("+OK");
      } else if (command === "PASS" && basicUser !== null) {
        // Exchange Online has basic authentication switched off for POP3.
        basicUser = null;
        conn.writeLine("-ERR Logon failure: unknown user name or bad password.");
      } else if (command === "AUTH") {
        const result = await authenticate(conn, args, opts);
        if (result === "closed") return;
        if (result !== null) drop = result;
      } else {
        conn.writeLine("-ERR Command is not valid in this state.");
      }
      continue;
    }

    await transaction(conn, drop, command, args, opts);
  }
}

/** AUTH in the AUTHORIZATION state. Returns the opened maildrop, null on failure, "closed" when the session ended. */
async function authenticate(
  conn: LineConnection,
  args: string[],
  opts: Pop3ServerOptions,
): Promise<Maildrop | null | "closed"> {
  const mechanism = (args[0] ?? "").toUpperCase();
  if (mechanism === "") {
    conn.write("+OK\r\nPLAIN\r\nXOAUTH2\r\n.\r\n");
    return null;
  }
  if (mechanism !== "XOAUTH2" && mechanism !== "PLAIN") {
    conn.writeLine("-ERR Unrecognized authentication type.");
    return null;
  }
  if (mechanism === "XOAUTH2" && args.length > 1) {
    // Exchange Online's POP3 does not take a SASL initial response on the AUTH line.
    conn.writeLine("-ERR Protocol error. Connection is closed. 10");
    conn.close();
    return "closed";
  }
  conn.writeLine("+ ");
  const response = await conn.readLine();
  if (response === null) return "closed";
  if (response === "*") {
    conn.writeLine("-ERR Authentication cancelled.");
    return null;
  }
  if (mechanism === "PLAIN") {
    conn.writeLine(AUTH_FAILED);
    return null;
  }
  const credentials = parseXoauth2(response);
  if (!credentials) {
    conn.writeLine(AUTH_FAILED);
    return null;
  }
  const mailbox = credentials.user.toLowerCase();
  const access = await checkMailboxAccess(opts.introspect, credentials.token, "mail", mailbox);
  if (!access.ok || !(await opts.store.hasMailbox(mailbox))) {
    opts.log(`pop3: XOAUTH2 refused for ${mailbox} (${access.ok ? "no such mailbox" : access.reason})`);
    conn.writeLine(AUTH_FAILED);
    return null;
  }
  const inbox = await opts.store.ensureFolder(mailbox, "INBOX");
  const messages = await opts.store.listMessages(mailbox, "INBOX");
  opts.log(`pop3: ${mailbox} authenticated, ${messages.length} message(s)`);
  conn.writeLine("+OK User successfully authenticated.");
  return { mailbox, folderGuid: inbox.guid, messages, deleted: new Set() };
}

async function transaction(
  conn: LineConnection,
  drop: Maildrop,
  command: string,
  args: string[],
  opts: Pop3ServerOptions,
): Promise<void> {
  const live = () => drop.messages.map((m, i) => ({ n: i + 1, m })).filter(({ n }) => !drop.deleted.has(n));
  const pick = (arg: string | undefined) => {
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 1 || n > drop.messages.length || drop.deleted.has(n)) return null;
    return { n, m: drop.messages[n - 1] };
  };
  const uidl = (m: MessageMeta) => messageId(drop.mailbox, drop.folderGuid, m.uid, "base64url");
  const outOfRange = "-ERR The specified message is out of range.";

  switch (command) {
    case "STAT": {
      const messages = live();
      conn.writeLine(`+OK ${messages.length} ${messages.reduce((sum, { m }) => sum + m.size, 0)}`);
      return;
    }
    case "LIST":
    case "UIDL": {
      const render = ({ n, m }: { n: number; m: MessageMeta }) => `${n} ${command === "LIST" ? m.size : uidl(m)}`;
      if (args.length > 0) {
        const one = pick(args[0]);
        conn.writeLine(one ? `+OK ${render(one)}` : outOfRange);
        return;
      }
      const messages = live();
      conn.write(`+OK ${messages.length} messages\r\n${messages.map((entry) => `${render(entry)}\r\n`).join("")}.\r\n`);
      return;
    }
    case "RETR":
    case "TOP": {
      if (command === "TOP" && opts.offerTop === false) {
        conn.writeLine("-ERR Protocol error. 14");
        return;
      }
      const one = pick(args[0]);
      const lines = command === "TOP" ? Number(args[1]) : Infinity;
      if (!one || (command === "TOP" && (!Number.isInteger(lines) || lines < 0))) {
        conn.writeLine(one ? "-ERR Protocol error. 14" : outOfRange);
        return;
      }
      await sendMessage(conn, drop, one.m, lines, opts);
      return;
    }
    case "DELE": {
      const one = pick(args[0]);
      if (!one) {
        conn.writeLine(outOfRange);
        return;
      }
      drop.deleted.add(one.n);
      conn.writeLine("+OK");
      return;
    }
    case "RSET":
      drop.deleted.clear();
      conn.writeLine("+OK");
      return;
    case "USER":
    case "PASS":
    case "AUTH":
      conn.writeLine("-ERR Command is not valid in this state.");
      return;
    default:
      conn.writeLine("-ERR Protocol error. 14");
  }
}

async function sendMessage(
  conn: LineConnection,
  drop: Maildrop,
  meta: MessageMeta,
  bodyLines: number,
  opts: Pop3ServerOptions,
) {
  const raw = await opts.store.readMessage(drop.mailbox, "INBOX", meta.uid);
  if (raw === null) {
    conn.writeLine("-ERR The message was deleted by another session.");
    return;
  }
  let text = raw.toString("latin1");
  if (Number.isFinite(bodyLines)) {
    const split = text.indexOf("\r\n\r\n");
    const head = split < 0 ? text : text.slice(0, split + 4);
    const body = split < 0 ? "" : text.slice(split + 4);
    const lines = body.split("\r\n");
    if (lines.at(-1) === "") lines.pop();
    text =
      head +
      lines
        .slice(0, bodyLines)
        .map((l) => `${l}\r\n`)
        .join("");
  }
  if (!text.endsWith("\r\n")) text += "\r\n";
  const stuffed = text.replace(/(^|\r\n)\./g, "$1..");
  conn.write(Buffer.concat([Buffer.from("+OK\r\n"), Buffer.from(stuffed, "latin1"), Buffer.from(".\r\n")]));
}
