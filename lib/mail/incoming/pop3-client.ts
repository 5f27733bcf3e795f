// A POP3 client written against RFC 1939 (commands), RFC 2449 (CAPA), RFC 2595 (STLS) and RFC 5034 (AUTH):
// implicit TLS or STLS, USER/PASS, AUTH PLAIN, XOAUTH2 / OAUTHBEARER in the two-line form Exchange Online
// requires (falling back to the one-line form for servers that only take that), UIDL, LIST, TOP, RETR as a
// dot-unstuffed stream, DELE and QUIT.
import type { Socket } from "node:net";
import { Readable } from "node:stream";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { assertLineSafe } from "@/lib/net";
import { oauthBearer, xoauth2 } from "@/lib/oauth";
import { LineSocket } from "./line-socket";
import { idleTimeout, openTcp, startTls, type Endpoint } from "./net-connect";
import { StepRecorder } from "./steps";

export class Pop3Error extends Error {
  constructor(
    message: string,
    /** the server's reply line */
    readonly response: string,
  ) {
    super(message);
    this.name = "Pop3Error";
  }
}

export type Pop3ConnectOptions = Endpoint & {
  /** implicit TLS, STLS upgrade (required), or plain text (only when the admin switched STARTTLS off) */
  security: "tls" | "starttls" | "none";
  steps: StepRecorder;
  transcript?: TranscriptRecorder;
};

export type Pop3Listing = { n: number; value: string };

export class Pop3Client {
  private capabilities: string[] | null = null;
  private busy = false;

  private constructor(
    private readonly lines: LineSocket,
    private readonly transcript?: TranscriptRecorder,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Resolves, connects, does TLS (implicit or STLS) and reads the greeting; not yet authenticated. */
  static async connect(opts: Pop3ConnectOptions): Promise<Pop3Client> {
    const plain = await openTcp(opts.steps, opts);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    if (opts.security === "tls") {
      const secure = await startTls(opts.steps, opts, plain);
      idleTimeout(secure, timeoutMs);
      const client = new Pop3Client(new LineSocket(secure), opts.transcript, timeoutMs);
      opts.transcript?.note(`connected to ${opts.host}:${opts.port} with implicit TLS`);
      await client.readGreeting();
      return client;
    }
    idleTimeout(plain, timeoutMs);
    const client = new Pop3Client(new LineSocket(plain), opts.transcript, timeoutMs);
    opts.transcript?.note(
      `connected to ${opts.host}:${opts.port}, ${opts.security === "none" ? "plain text (STARTTLS switched off)" : "plain text until STLS"}`,
    );
    await client.readGreeting();
    if (opts.security === "none") return client;
    const capabilities = await client.capa();
    if (capabilities !== null && !capabilities.some((c) => c.toUpperCase() === "STLS")) {
      throw opts.steps.fail(
        "tls",
        new Pop3Error(
          "The server does not offer STLS, so the connection was not secured and no credentials were sent",
          "CAPA without STLS",
        ),
      );
    }
    await opts.steps.run(
      "tls",
      async () => {
        await client.simple("STLS");
        const socket = client.lines.detach();
        if (client.lines.hasBuffered()) throw new Error("data received before the TLS handshake (STLS injection?)");
        const secure = await startTlsQuiet(opts, socket);
        idleTimeout(secure, timeoutMs);
        client.lines.attach(secure);
        client.capabilities = null;
        opts.transcript?.note(`TLS established (${secure.getProtocol()})`);
        return secure;
      },
      (secure) => `STLS, ${secure.getProtocol()}, certificate verified`,
    );
    return client;
  }

  private async readGreeting(): Promise<void> {
    const greeting = await this.readLine();
    if (!greeting.startsWith("+OK")) throw new Pop3Error("The server did not greet with +OK", greeting);
  }

  private async readLine(): Promise<string> {
    const line = await this.lines.readLine();
    if (line === null)
      throw Object.assign(new Pop3Error("The server closed the connection", "(connection closed)"), {
        code: "ECONNRESET",
      });
    const text = line.toString("latin1");
    this.transcript?.server(text);
    return text;
  }

  /** The last guard before the wire: a CR, LF or NUL would end the command early and start another. */
  private send(line: string, opts: { sensitive?: boolean } = {}): void {
    assertLineSafe(line, "a POP3 command");
    this.transcript?.client(line, opts);
    this.lines.write(`${line}\r\n`);
  }

  /** A command with a one-line answer; throws Pop3Error on -ERR. */
  async simple(command: string, opts: { sensitive?: boolean; display?: string } = {}): Promise<string> {
    return this.exclusive(async () => {
      this.send(command, opts);
      const reply = await this.readLine();
      if (!reply.startsWith("+OK")) throw new Pop3Error(`${opts.display ?? command.split(" ")[0]} failed`, reply);
      return reply;
    });
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error("POP3 client: a command is still running (read the RETR stream to its end first)");
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
    }
  }

  /** A command with a multi-line answer, read up to MAX_MULTILINE_BYTES; a longer answer ends the connection. */
  private async multiline(command: string): Promise<{ first: string; lines: string[] }> {
    return this.exclusive(async () => {
      this.send(command);
      const name = command.split(" ")[0];
      const first = await this.readLine();
      if (!first.startsWith("+OK")) throw new Pop3Error(`${name} failed`, first);
      const lines: string[] = [];
      let bytes = 0;
      for (;;) {
        const line = await this.readLine();
        if (line === ".") return { first, lines };
        bytes += line.length + 2;
        if (bytes > MAX_MULTILINE_BYTES) {
          // The rest of the answer is still coming: the connection cannot be used for another command.
          this.destroy();
          throw new Pop3Error(
            `The server's answer to ${name} is longer than ${MAX_MULTILINE_BYTES / (1024 * 1024)} MiB; stopped reading it and closed the connection`,
            `(answer to ${name} cut after ${lines.length} lines)`,
          );
        }
        lines.push(line.startsWith("..") ? line.slice(1) : line);
      }
    });
  }

  /** CAPA (RFC 2449); null when the server does not know the command. */
  async capa(): Promise<string[] | null> {
    if (this.capabilities) return this.capabilities;
    try {
      this.capabilities = (await this.multiline("CAPA")).lines;
    } catch (error) {
      if (error instanceof Pop3Error) return null;
      throw error;
    }
    return this.capabilities;
  }

  async saslMechanisms(): Promise<string[]> {
    const sasl = (await this.capa())?.find((c) => /^SASL\b/i.test(c));
    return sasl
      ? sasl
          .split(/\s+/)
          .slice(1)
          .map((m) => m.toUpperCase())
      : [];
  }

  /** Password login: USER/PASS when offered (or no CAPA), else AUTH PLAIN. */
  async loginWithPassword(user: string, password: string): Promise<void> {
    assertLineSafe(user, "The user name");
    assertLineSafe(password, "The password");
    this.transcript?.addSecret(password);
    const capabilities = await this.capa();
    const mechanisms = await this.saslMechanisms();
    if (
      capabilities === null ||
      capabilities.some((c) => c.toUpperCase() === "USER") ||
      !mechanisms.includes("PLAIN")
    ) {
      await this.simple(`USER ${user}`);
      await this.simple(`PASS ${password}`, { sensitive: true, display: "PASS" });
      return;
    }
    await this.saslTwoLine("PLAIN", Buffer.from(`\0${user}\0${password}`, "utf8").toString("base64"));
  }

  /**
   * OAuth login. XOAUTH2 (or OAUTHBEARER when that is all the server offers) in the two-line form first:
   * `AUTH XOAUTH2`, wait for `+`, then the payload — Exchange Online refuses the one-line form with
   * "-ERR Protocol error. Connection is closed. 10". A server that refuses the two-line form outright (no `+`)
   * gets the one-line form.
   */
  async loginWithToken(user: string, token: string, endpoint: { host: string; port: number }): Promise<void> {
    assertLineSafe(user, "The user name");
    assertLineSafe(token, "The access token");
    this.transcript?.addSecret(token);
    const mechanisms = await this.saslMechanisms();
    const useBearer = !mechanisms.includes("XOAUTH2") && mechanisms.includes("OAUTHBEARER");
    const payload = useBearer ? oauthBearer(user, token, endpoint.host, endpoint.port) : xoauth2(user, token);
    this.transcript?.addSecret(payload);
    const mechanism = useBearer ? "OAUTHBEARER" : "XOAUTH2";
    const outcome = await this.saslTwoLine(mechanism, payload, { allowOneLineFallback: true });
    if (outcome === "no-challenge") {
      this.transcript?.note(`the server refused the two-line AUTH ${mechanism}; trying the one-line form`);
      await this.simple(`AUTH ${mechanism} ${payload}`, { display: `AUTH ${mechanism}` });
    }
  }

  /** AUTH <mech>, `+`, payload. An error challenge (`+ <b64>`) is answered with an empty line, as RFC 7628 asks. */
  private async saslTwoLine(
    mechanism: string,
    payload: string,
    opts: { allowOneLineFallback?: boolean } = {},
  ): Promise<"ok" | "no-challenge"> {
    return this.exclusive(async () => {
      this.send(`AUTH ${mechanism}`);
      const challenge = await this.readLine();
      if (!challenge.startsWith("+") || challenge.startsWith("+OK")) {
        if (opts.allowOneLineFallback && challenge.startsWith("-ERR") && !/Protocol error/i.test(challenge))
          return "no-challenge";
        throw new Pop3Error(`AUTH ${mechanism} failed`, challenge);
      }
      this.send(payload, { sensitive: true });
      let reply = await this.readLine();
      if (reply.startsWith("+ ") || reply === "+") {
        // The server's error details (base64 JSON); the final answer follows an empty response.
        this.send("");
        const detail = decodeErrorChallenge(reply);
        reply = await this.readLine();
        if (detail) reply = `${reply} (${detail})`;
      }
      if (!reply.startsWith("+OK")) throw new Pop3Error(`AUTH ${mechanism} failed`, reply);
      return "ok";
    });
  }

  async uidl(): Promise<Pop3Listing[]> {
    return (await this.multiline("UIDL")).lines.map(parseListing);
  }

  async list(): Promise<Pop3Listing[]> {
    return (await this.multiline("LIST")).lines.map(parseListing);
  }

  /** Headers and the first `bodyLines` lines of message n. */
  async top(n: number, bodyLines: number): Promise<Buffer> {
    const { lines } = await this.multiline(`TOP ${n} ${bodyLines}`);
    return Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
  }

  /**
   * RETR n as a stream of the raw message (dot-unstuffed, CRLF line ends). Nothing else may be sent on this
   * client until the stream has ended. Servers such as Dovecot mark the message read (\Seen) on RETR.
   */
  async retr(n: number): Promise<Readable> {
    return this.streamMessage(`RETR ${n}`);
  }

  /** Whether the server lists TOP in CAPA (TOP is optional in RFC 1939). */
  async offersTop(): Promise<boolean> {
    return (await this.capa())?.some((c) => c.toUpperCase() === "TOP") ?? false;
  }

  /**
   * The whole message n through TOP with more body lines than any message has (RFC 1939: then the whole
   * message is sent): unlike RETR it leaves the message's flags alone. Streamed like retr().
   */
  async topWhole(n: number): Promise<Readable> {
    return this.streamMessage(`TOP ${n} ${WHOLE_MESSAGE_LINES}`);
  }

  private async streamMessage(command: string): Promise<Readable> {
    const verb = command.split(" ")[0];
    if (this.busy) throw new Error("POP3 client: a command is still running");
    this.busy = true;
    this.send(command);
    let first: string;
    try {
      first = await this.readLine();
    } catch (error) {
      this.busy = false;
      throw error;
    }
    if (!first.startsWith("+OK")) {
      this.busy = false;
      throw new Pop3Error(`${verb} failed`, first);
    }
    const transcript = this.transcript;
    const keep = transcript?.maxBodyLines ?? 0;
    let count = 0;
    let bytes = 0;
    let reading = false;
    const release = () => {
      this.busy = false;
    };
    const lines = this.lines;
    return new Readable({
      async read() {
        if (reading) return;
        reading = true;
        try {
          for (;;) {
            const raw = await lines.readLine();
            if (raw === null)
              throw Object.assign(new Error(`The server closed the connection during ${verb}`), { code: "ECONNRESET" });
            if (raw.length === 1 && raw[0] === 0x2e) {
              if (count > keep)
                transcript?.note(`[${count - keep} more line(s) of the message, ${bytes} bytes in all]`);
              transcript?.server(".");
              release();
              this.push(null);
              return;
            }
            const line = raw.length > 1 && raw[0] === 0x2e && raw[1] === 0x2e ? raw.subarray(1) : raw;
            count++;
            bytes += line.length + 2;
            if (count <= keep) transcript?.server(line.toString("latin1"));
            if (!this.push(Buffer.concat([line, CRLF]))) return;
          }
        } catch (error) {
          release();
          this.destroy(error as Error);
        } finally {
          reading = false;
        }
      },
    });
  }

  /** Whether the server takes several commands before their answers (RFC 2449 PIPELINING). */
  async pipelining(): Promise<boolean> {
    return (await this.capa())?.some((c) => c.toUpperCase() === "PIPELINING") ?? false;
  }

  /**
   * RETR of several messages, each handed over whole and in order. With PIPELINING the commands go out in
   * windows before their answers are read (one round trip per window, not per message); else one by one.
   * A message over `maxBytes` is read to its end (the session stays in step) and refused with Pop3Error.
   */
  async retrMany(
    ns: number[],
    onMessage: (n: number, raw: Buffer) => Promise<void> | void,
    opts: { maxBytes?: number; window?: number } = {},
  ): Promise<void> {
    await this.pipelined("RETR", (n) => `RETR ${n}`, ns, onMessage, opts);
  }

  /**
   * TOP n `bodyLines` of several messages (the headers, with 0), each handed over in order; pipelined in
   * windows like retrMany where the server offers PIPELINING. Each answer is bounded like any multi-line one.
   */
  async topMany(
    ns: number[],
    bodyLines: number,
    onMessage: (n: number, head: Buffer) => Promise<void> | void,
    opts: { window?: number } = {},
  ): Promise<void> {
    await this.pipelined("TOP", (n) => `TOP ${n} ${bodyLines}`, ns, onMessage, {
      ...opts,
      maxBytes: MAX_MULTILINE_BYTES,
      hardLimit: true,
    });
  }

  private async pipelined(
    verb: string,
    command: (n: number) => string,
    ns: number[],
    onMessage: (n: number, raw: Buffer) => Promise<void> | void,
    opts: { maxBytes?: number; window?: number; hardLimit?: boolean },
  ): Promise<void> {
    const window = (await this.pipelining()) ? (opts.window ?? 16) : 1;
    await this.exclusive(async () => {
      for (let i = 0; i < ns.length; i += window) {
        const group = ns.slice(i, i + window);
        for (const n of group) this.send(command(n));
        const failures: string[] = [];
        const bodies: [number, Buffer][] = [];
        for (const n of group) {
          const first = await this.readLine();
          if (!first.startsWith("+OK")) failures.push(`${verb} ${n}: ${first}`);
          else bodies.push([n, await this.readBody(opts.maxBytes ?? Number.POSITIVE_INFINITY, verb, opts.hardLimit)]);
        }
        if (failures.length > 0) throw new Pop3Error(`${verb} failed`, failures.join("; "));
        for (const [n, raw] of bodies) await onMessage(n, raw);
      }
    });
  }

  /**
   * One multi-line answer's body, dot-unstuffed with CRLF line ends; only its size goes into the transcript.
   * Past `maxBytes` the rest is read and dropped (the session stays in step), or with `hardLimit` (an answer
   * that should be small: headers) the connection is closed at once.
   */
  private async readBody(maxBytes: number, verb = "RETR", hardLimit = false): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      const raw = await this.lines.readLine();
      if (raw === null)
        throw Object.assign(new Pop3Error(`The server closed the connection during ${verb}`, "(connection closed)"), {
          code: "ECONNRESET",
        });
      if (raw.length === 1 && raw[0] === 0x2e) break;
      const line = raw.length > 1 && raw[0] === 0x2e && raw[1] === 0x2e ? raw.subarray(1) : raw;
      bytes += line.length + 2;
      if (bytes <= maxBytes) chunks.push(line, CRLF);
      else if (hardLimit) {
        this.lines.current.destroy();
        throw new Pop3Error(`${verb} refused`, `the answer to ${verb} is longer than ${maxBytes} bytes`);
      }
    }
    this.transcript?.note(`[message, ${bytes} bytes]`);
    this.transcript?.server(".");
    if (bytes > maxBytes) throw new Pop3Error(`${verb} refused`, `the message is larger than ${maxBytes} bytes`);
    return Buffer.concat(chunks, bytes);
  }

  async dele(n: number): Promise<void> {
    await this.simple(`DELE ${n}`);
  }

  /** QUIT: the server removes messages marked with DELE only now (the UPDATE state). */
  async quit(): Promise<void> {
    try {
      if (!this.busy) await this.simple("QUIT");
    } finally {
      this.lines.current.end();
      this.lines.current.destroy();
    }
  }

  destroy(): void {
    this.lines.current.destroy();
  }
}

const CRLF = Buffer.from("\r\n");
/** CAPA, UIDL, LIST and TOP answers: 8 MiB is a UIDL of about 200,000 messages. */
export const MAX_MULTILINE_BYTES = 8 * 1024 * 1024;

function parseListing(line: string): Pop3Listing {
  const [n, value = ""] = line.trim().split(/\s+/, 2);
  return { n: Number(n), value };
}

function decodeErrorChallenge(line: string): string | null {
  const data = line.slice(1).trim();
  if (!data) return null;
  try {
    return Buffer.from(data, "base64").toString("utf8");
  } catch {
    return null;
  }
}

/** STLS upgrade without recording a separate step (the caller's "tls" step covers it). */
function startTlsQuiet(endpoint: Endpoint, socket: Socket) {
  return startTls(new StepRecorder(), endpoint, socket);
}
/** TOP's line count for "the whole message": more lines than any message a POP3 server holds. */
const WHOLE_MESSAGE_LINES = 999_999_999;
