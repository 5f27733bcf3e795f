// SMTP submission with nodemailer's SMTP client on a socket we open ourselves (smtp-socket.ts): STARTTLS
// required when chosen (port 587), or implicit TLS (SMTPS, 465). OAuth signs in with XOAUTH2 using the token
// from our token service — nodemailer never refreshes anything, so a rotated refresh token cannot be lost.
import SMTPConnection from "nodemailer/lib/smtp-connection/index.js";
import { xoauth2 } from "@/lib/oauth";
import { MailStepError, type StepRecorder } from "@/lib/mail/steps";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { trustedCas } from "@/lib/mail/incoming";
import { openSmtpSocket } from "./smtp-socket";
import type { ComposedMessage, OutgoingAuth, OutgoingTransport, SendOutcome, TransportContext } from "./transport";

export type SmtpServer = {
  host: string;
  port: number;
  implicitTls: boolean;
  requireTls: boolean;
  ca?: string;
  proxy?: string;
  timeoutMs?: number;
};

/** The queue id in a 250 reply: Postfix "queued as X", Exchange "OK <id>", Gmail "OK  1234 x.y - gsmtp". */
export function queueIdOf(reply: string): string | null {
  const postfix = /queued as ([A-Za-z0-9]+)/i.exec(reply);
  if (postfix) return postfix[1];
  const ok = /^250[ -](?:\d\.\d\.\d+ )?OK\s+(<[^>\s]+>|[^\s\[]+)/i.exec(reply.trim());
  return ok ? ok[1] : null;
}

/** Hands nodemailer's protocol log to the transcript (client and server lines; message content is not logged). */
function transcriptLogger(transcript: TranscriptRecorder) {
  const log = (entry: { tnx?: string }, message: string) => {
    if (typeof message !== "string") return;
    for (const line of message.split(/\r?\n/)) {
      if (entry?.tnx === "client") transcript.client(line);
      else if (entry?.tnx === "server") transcript.server(line);
    }
  };
  const quiet = () => undefined;
  return { debug: log, trace: quiet, info: quiet, warn: quiet, error: quiet, fatal: quiet, level: quiet };
}

const TOKEN_METHOD = "MAILBRIDGE-XOAUTH2";

type Session = { connection: SMTPConnection };

export class SmtpTransport implements OutgoingTransport {
  constructor(
    private readonly smtp: SmtpServer,
    private readonly auth: OutgoingAuth,
  ) {}

  get server(): string {
    return `${this.smtp.host}:${this.smtp.port}`;
  }

  async verify(ctx: TransportContext): Promise<void> {
    const session = await this.open(ctx);
    session.connection.quit();
    // QUIT is polite; a server that never answers it must not keep the socket open.
    setTimeout(() => session.connection.close(), 2_000).unref();
  }

  async send(message: ComposedMessage, ctx: TransportContext): Promise<SendOutcome> {
    const session = await this.open(ctx);
    try {
      await ctx.onSubmit?.();
      const info = await ctx.steps.run(
        "send",
        () =>
          new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) => {
            session.connection.send({ from: message.from, to: message.to }, message.raw, (error, result) =>
              error ? reject(error) : resolve(result),
            );
          }),
        (result) => `${message.to.length} recipient(s) accepted: ${result.response}`,
      );
      if (info.rejected.length > 0 && info.accepted.length === 0)
        throw ctx.steps.fail("send", new Error(`every recipient was refused: ${info.rejected.join(", ")}`));
      return { server: this.server, queueId: queueIdOf(info.response), response: info.response };
    } finally {
      session.connection.quit();
      session.connection.close();
    }
  }

  private async open(ctx: TransportContext): Promise<Session> {
    const { steps, transcript } = ctx;
    // The token first: a grant that needs Reconnect fails here, before any connection.
    const token =
      this.auth.type === "oauth"
        ? await steps.run(
            "token",
            () => (this.auth as Extract<OutgoingAuth, { type: "oauth" }>).getToken(),
            () => "access token ready",
          )
        : null;
    if (token) transcript?.addSecret(token.accessToken);
    if (this.auth.type === "password") transcript?.addSecret(this.auth.password);
    const timeoutMs = this.smtp.timeoutMs ?? 20_000;
    const socket = await openSmtpSocket(steps, {
      host: this.smtp.host,
      port: this.smtp.port,
      ca: this.smtp.ca,
      proxy: this.smtp.proxy,
      timeoutMs,
      implicitTls: this.smtp.implicitTls,
    });
    transcript?.note(`connected to ${this.server}${this.smtp.implicitTls ? " (implicit TLS)" : ""}`);
    const connection = new SMTPConnection({
      host: this.smtp.host,
      port: this.smtp.port,
      connection: socket,
      secure: this.smtp.implicitTls,
      secured: this.smtp.implicitTls,
      requireTLS: !this.smtp.implicitTls && this.smtp.requireTls,
      ignoreTLS: !this.smtp.implicitTls && !this.smtp.requireTls,
      tls: {
        ca: trustedCas(this.smtp.ca),
        rejectUnauthorized: true,
        minVersion: "TLSv1.2",
        servername: isIp(this.smtp.host) ? undefined : this.smtp.host,
      },
      name: "mailbridge.localhost",
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      transactionLog: Boolean(transcript),
      logger: transcript ? (transcriptLogger(transcript) as never) : false,
      // Named apart from "XOAUTH2": nodemailer would swap that name for its own refreshing XOAUTH2 (or PLAIN).
      customAuth: { [TOKEN_METHOD]: (handler) => this.xoauth2(handler, token?.accessToken ?? "") },
    });
    connection.on("error", () => undefined);
    const started = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        connection.once("error", reject);
        connection.connect(() => {
          connection.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      connection.close();
      // nodemailer flags the connection while STARTTLS is under way; a failure then is the TLS step's.
      const upgrading = (connection as unknown as { upgrading?: boolean }).upgrading === true;
      const tlsFailed = !this.smtp.implicitTls && (upgrading || String((error as { code?: string }).code) === "ETLS");
      throw steps.fail(tlsFailed ? "tls" : "connect", error, performance.now() - started);
    }
    if (!this.smtp.implicitTls) {
      const secure = (connection as unknown as { secure: boolean }).secure;
      if (secure) steps.record("tls", true, performance.now() - started, "STARTTLS, certificate verified");
      else steps.record("tls", true, 0, "not used (Enable TLS is off)");
    }
    await this.login(connection, steps);
    return { connection };
  }

  private async login(connection: SMTPConnection, steps: StepRecorder): Promise<void> {
    const offered = (connection as unknown as { allowsAuth: boolean }).allowsAuth;
    await steps.run(
      "authenticate",
      () =>
        new Promise<void>((resolve, reject) => {
          if (!offered) {
            reject(
              new MailStepError(
                "authenticate",
                "The server offers no sign-in (AUTH) on this connection.",
                "no AUTH in the EHLO reply: 530 5.7.0 Must issue a STARTTLS command first",
                undefined,
              ),
            );
            return;
          }
          const credentials =
            this.auth.type === "oauth"
              ? { type: "custom" as const, method: TOKEN_METHOD, user: this.auth.user, pass: "-" }
              : { user: this.auth.user, pass: this.auth.password };
          connection.login(credentials, (error) => {
            if (error) reject(error);
            else resolve();
          });
        }),
      () => `${this.auth.type === "oauth" ? "XOAUTH2" : "password"} accepted for ${this.auth.user}`,
    );
  }

  /** XOAUTH2 with a token from the token service; a refused token gets the server's error JSON, then an empty line. */
  private async xoauth2(handler: SMTPConnection.CustomAuthenticationContext, accessToken: string): Promise<void> {
    let answer = await handler.sendCommand(`AUTH XOAUTH2 ${xoauth2(this.auth.user, accessToken)}`);
    if (answer.status === 334) answer = await handler.sendCommand("");
    if (answer.status !== 235)
      throw Object.assign(new Error(`the server refused the token: ${answer.response}`), {
        response: answer.response,
        code: "EAUTH",
      });
  }
}

const isIp = (host: string) => /^[\d.]+$|:/.test(host);
