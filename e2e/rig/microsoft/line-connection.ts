// A server-side connection read one CRLF line (or one SMTP DATA block) at a time, with an in-place upgrade
// to TLS for STARTTLS and a hand-over of the raw socket for proxying.
import type net from "node:net";
import tls from "node:tls";

export class LineConnection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };

  constructor(public socket: net.Socket) {
    this.attach();
  }

  /** The next line without its CRLF; null when the peer closed the connection. */
  async readLine(maxLength = 64 * 1024): Promise<string | null> {
    for (;;) {
      const end = this.buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.buffer.subarray(0, end).toString("utf8");
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      if (this.ended || this.buffer.length > maxLength) return null;
      await this.waitForData();
    }
  }

  /** An SMTP DATA block up to "<CRLF>.<CRLF>", dot-unstuffed, with its final CRLF; null on close. */
  async readDataBlock(): Promise<Buffer | null> {
    for (;;) {
      if (this.buffer.subarray(0, 3).toString("latin1") === ".\r\n") {
        this.buffer = this.buffer.subarray(3);
        return Buffer.alloc(0);
      }
      const end = this.buffer.indexOf("\r\n.\r\n");
      if (end >= 0) {
        const block = this.buffer.subarray(0, end + 2);
        this.buffer = this.buffer.subarray(end + 5);
        return Buffer.from(block.toString("latin1").replace(/(^|\r\n)\.\./g, "$1."), "latin1");
      }
      if (this.ended) return null;
      await this.waitForData();
    }
  }

  write(text: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  writeLine(line: string): void {
    this.write(`${line}\r\n`);
  }

  /** Replaces the plain socket by a TLS server socket on top of it (after a STARTTLS reply). */
  async startTls(context: tls.SecureContext): Promise<void> {
    this.detach();
    this.buffer = Buffer.alloc(0);
    const secure = new tls.TLSSocket(this.socket, { isServer: true, secureContext: context });
    await new Promise<void>((resolve, reject) => {
      secure.once("secure", () => resolve());
      secure.once("error", reject);
    });
    secure.on("error", () => secure.destroy());
    this.socket = secure;
    this.attach();
  }

  /** Stops line reading and returns the bytes read but not consumed yet, for a byte relay to take over. */
  handOver(): Buffer {
    this.detach();
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private attach(): void {
    this.socket.on("data", this.onData);
    this.socket.on("end", this.onEnd);
    this.socket.on("close", this.onEnd);
    this.socket.on("error", this.onEnd);
  }

  private detach(): void {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onEnd);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}
