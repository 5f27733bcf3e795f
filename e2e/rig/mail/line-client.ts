// Test helper: a line-oriented client for raw IMAP/POP3/SMTP conversations over TCP or TLS, with STARTTLS,
// so rig self-tests can send exactly the bytes a mail client sends and read the server's real replies.
import net from "node:net";
import tls from "node:tls";

export class LineClient {
  private socket: net.Socket;
  private buffer = "";
  private waiters: (() => void)[] = [];
  private closed = false;
  /** every line received, for assertions and failure messages */
  readonly transcript: string[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  static async connect(opts: { host: string; port: number; tls: boolean; ca: string }): Promise<LineClient> {
    const socket = opts.tls
      ? tls.connect({ host: opts.host, port: opts.port, ca: opts.ca, servername: "localhost" })
      : net.connect({ host: opts.host, port: opts.port });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new LineClient(socket);
  }

  private attach(socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Next complete line (without CRLF). */
  async readLine(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        this.transcript.push(line);
        return line;
      }
      if (this.closed) throw new Error(`connection closed; transcript:\n${this.transcript.join("\n")}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; transcript:\n${this.transcript.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Reads lines until one matches; returns it. */
  async readUntil(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    for (;;) {
      const line = await this.readLine(timeoutMs);
      if (pattern.test(line)) return line;
    }
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Upgrades the connection after the server agreed to STARTTLS/STLS. */
  async startTls(ca: string): Promise<void> {
    if (this.buffer !== "") throw new Error(`unexpected data before TLS: ${this.buffer}`);
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    const secure = tls.connect({ socket: plain, ca, servername: "localhost" });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function xoauth2(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
}

export function oauthbearer(user: string, token: string, host: string, port: number): string {
  return Buffer.from(`n,a=${user},\x01host=${host}\x01port=${port}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
}
