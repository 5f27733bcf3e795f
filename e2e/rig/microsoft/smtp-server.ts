// Exchange Online's SMTP AUTH submission (smtp.office365.com:587) as the rig double: STARTTLS, then AUTH
// XOAUTH2 only, answered with the replies Exchange really sends — 535 5.7.3 for a token it does not accept,
// 535 5.7.139 when basic auth is tried or SMTP AUTH is disabled for the mailbox, 554 5.2.252 SendAsDenied when
// the message is sent as someone the token's user may not send as. Accepted mail goes to the outbox (the
// rig's sink) and, as Exchange does, a copy into the mailbox's Sent Items.
import { randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { checkMailboxAccess, parseXoauth2, tokenPrefix, type Introspect } from "./access";
import { LineConnection } from "./line-connection";
import type { Logger } from "./logger";
import type { MailStore } from "./mail-store";
import { headerAddress, type Outbox } from "./sent-mail";

export type SmtpServerOptions = {
  tls: { key: string; cert: string };
  introspect: Introspect;
  store: MailStore;
  outbox: Outbox;
  /** whether SMTP AUTH ("Authenticated SMTP") is enabled for a mailbox */
  smtpAuthEnabled: (mailbox: string) => boolean;
  log: Logger;
  hostname?: string;
};

const MAX_SIZE = 37_748_736;

export function createSmtpServer(opts: SmtpServerOptions): net.Server {
  const context = tls.createSecureContext({ key: opts.tls.key, cert: opts.tls.cert });
  return net.createServer((socket) => {
    socket.on("error", () => socket.destroy());
    serve(new LineConnection(socket), context, opts).catch((error: Error) => {
      opts.log(`smtp: session failed: ${error.message}`);
      socket.destroy();
    });
  });
}

type Login = { user: string; token: string };

async function serve(conn: LineConnection, context: tls.SecureContext, opts: SmtpServerOptions): Promise<void> {
  const host = opts.hostname ?? "SN4PR0201CA0045.outlook.office365.com";
  const tagged = (reply: string) => `${reply} [${host} ${new Date().toISOString()}]`;
  conn.writeLine(`220 ${host} Microsoft ESMTP MAIL Service ready at ${new Date().toUTCString()}`);
  let secure = false;
  let greeted = false;
  let login: Login | null = null;
  let from: string | null = null;
  let recipients: string[] = [];

  for (;;) {
    const line = await conn.readLine();
    if (line === null) return;
    const verb = line.split(" ")[0].toUpperCase();
    const argument = line.slice(verb.length).trim();

    switch (verb) {
      case "EHLO":
      case "HELO": {
        greeted = true;
        from = null;
        recipients = [];
        if (verb === "HELO") {
          conn.writeLine(`250 ${host} Hello [127.0.0.1]`);
          break;
        }
        const extensions = [`SIZE ${MAX_SIZE}`, "PIPELINING", "DSN", "ENHANCEDSTATUSCODES"];
        extensions.push(secure ? "AUTH LOGIN XOAUTH2" : "STARTTLS");
        extensions.push("8BITMIME", "SMTPUTF8");
        const lines = [`${host} Hello [127.0.0.1]`, ...extensions];
        conn.write(lines.map((text, i) => `250${i === lines.length - 1 ? " " : "-"}${text}\r\n`).join(""));
        break;
      }
      case "STARTTLS":
        if (secure) {
          conn.writeLine("503 5.5.2 Only one STARTTLS command can be issued per session");
          break;
        }
        conn.writeLine("220 2.0.0 SMTP server ready");
        await conn.startTls(context);
        secure = true;
        greeted = false;
        break;
      case "AUTH": {
        if (!greeted) {
          conn.writeLine("503 5.5.2 Send hello first");
          break;
        }
        if (!secure) {
          conn.writeLine("504 5.7.4 Unrecognized authentication type");
          break;
        }
        if (login) {
          conn.writeLine("503 5.5.2 Already authenticated");
          break;
        }
        const result = await authenticate(conn, argument, opts, tagged);
        if (result === "closed") return;
        login = result;
        break;
      }
      case "MAIL": {
        if (!login) {
          conn.writeLine(tagged("530 5.7.57 Client not authenticated to send mail."));
          break;
        }
        const address = /^FROM:\s*<([^>]*)>/i.exec(argument);
        if (!address) {
          conn.writeLine("501 5.5.4 Invalid arguments");
          break;
        }
        from = address[1].toLowerCase();
        recipients = [];
        conn.writeLine("250 2.1.0 Sender OK");
        break;
      }
      case "RCPT": {
        const address = /^TO:\s*<([^>]+)>/i.exec(argument);
        if (from === null) conn.writeLine("503 5.5.2 Need mail command");
        else if (!address) conn.writeLine("501 5.5.4 Invalid arguments");
        else {
          recipients.push(address[1].toLowerCase());
          conn.writeLine("250 2.1.5 Recipient OK");
        }
        break;
      }
      case "DATA": {
        if (from === null || recipients.length === 0) {
          conn.writeLine("503 5.5.2 Need rcpt command");
          break;
        }
        conn.writeLine("354 Start mail input; end with <CRLF>.<CRLF>");
        const raw = await conn.readDataBlock();
        if (raw === null) return;
        conn.writeLine(await submit(login!, from, recipients, raw, opts, host));
        from = null;
        recipients = [];
        break;
      }
      case "RSET":
        from = null;
        recipients = [];
        conn.writeLine("250 2.0.0 Resetting");
        break;
      case "NOOP":
        conn.writeLine("250 2.0.0 OK");
        break;
      case "QUIT":
        conn.writeLine("221 2.0.0 Service closing transmission channel");
        conn.close();
        return;
      default:
        conn.writeLine("500 5.3.3 Unrecognized command");
    }
  }
}

async function authenticate(
  conn: LineConnection,
  argument: string,
  opts: SmtpServerOptions,
  tagged: (reply: string) => string,
): Promise<Login | null | "closed"> {
  const [mechanism = "", initial] = argument.split(" ");
  switch (mechanism.toUpperCase()) {
    case "LOGIN": {
      if (initial === undefined) {
        conn.writeLine("334 VXNlcm5hbWU6");
        if ((await conn.readLine()) === null) return "closed";
      }
      conn.writeLine("334 UGFzc3dvcmQ6");
      if ((await conn.readLine()) === null) return "closed";
      conn.writeLine(tagged("535 5.7.139 Authentication unsuccessful, basic authentication is disabled."));
      return null;
    }
    case "XOAUTH2": {
      let response = initial;
      if (response === undefined) {
        conn.writeLine("334 ");
        const line = await conn.readLine();
        if (line === null) return "closed";
        response = line;
      }
      if (response === "*") {
        conn.writeLine("501 5.7.0 Authentication cancelled");
        return null;
      }
      const credentials = parseXoauth2(response);
      if (!credentials) {
        conn.writeLine(tagged("535 5.7.3 Authentication unsuccessful"));
        return null;
      }
      const user = credentials.user.toLowerCase();
      const access = await checkMailboxAccess(opts.introspect, credentials.token, "mail", user);
      if (!access.ok || !(await opts.store.hasMailbox(user))) {
        opts.log(
          `smtp: XOAUTH2 for ${user} with ${tokenPrefix(credentials.token)} refused (${access.ok ? "no mailbox" : access.reason})`,
        );
        conn.writeLine(tagged("535 5.7.3 Authentication unsuccessful"));
        return null;
      }
      if (!opts.smtpAuthEnabled(user)) {
        conn.writeLine(
          tagged(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
          ),
        );
        return null;
      }
      opts.log(`smtp: ${user} authenticated with ${tokenPrefix(credentials.token)}`);
      conn.writeLine("235 2.7.0 Authentication successful");
      return { user, token: credentials.token };
    }
    default:
      conn.writeLine("504 5.7.4 Unrecognized authentication type");
      return null;
  }
}

async function submit(
  login: Login,
  from: string,
  recipients: string[],
  raw: Buffer,
  opts: SmtpServerOptions,
  host: string,
): Promise<string> {
  // Exchange checks the envelope sender and the From: header against the authenticated mailbox's rights.
  const senders = new Set([from, headerAddress(raw, "from") ?? from]);
  for (const sender of senders) {
    if (sender === login.user) continue;
    const access = await checkMailboxAccess(opts.introspect, login.token, "mail", sender);
    if (!access.ok) {
      opts.log(`smtp: ${login.user} may not send as ${sender}`);
      return (
        `554 5.2.252 SendAsDenied; ${login.user} not allowed to send as ${sender}; ` +
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; " +
        `Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. [Hostname=${host}]`
      );
    }
  }
  await opts.outbox({ from, to: recipients }, raw);
  await opts.store.append(login.user, "Sent", raw, ["\\Seen"]).catch((error: Error) => {
    opts.log(`smtp: copy to Sent Items of ${login.user} failed: ${error.message}`);
  });
  const messageId = /^message-id:\s*(<[^>]+>)/im.exec(raw.toString("latin1").split(/\r\n\r\n/, 1)[0])?.[1];
  return `250 2.0.0 OK ${messageId ?? `<${randomBytes(8).toString("hex")}@${host}>`} [Hostname=${host}]`;
}
