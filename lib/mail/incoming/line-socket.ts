// Line-oriented reading from a socket that can be swapped for its TLS upgrade (STARTTLS/STLS): lines are read
// on demand, the socket is paused while enough is buffered, so a large message is never held whole.
import type { Socket } from "node:net";

const HIGH_WATER = 1024 * 1024;
/** A line longer than this is refused: it would otherwise be buffered without bound (or stall a paused socket). */
export const MAX_LINE_BYTES = 1024 * 1024;

export class LineTooLongError extends Error {
  readonly code = "ELINETOOLONG";
  constructor() {
    super(
      `The server sent a line longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB without a line end; stopped reading`,
    );
    this.name = "LineTooLongError";
  }
}

export class LineSocket {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private waiting: { resolve: (line: Buffer | null) => void; reject: (error: Error) => void } | null = null;
  private ended = false;
  private failure: Error | null = null;
  private socket!: Socket;
  private readonly onData = (chunk: Buffer) => {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.bufferedBytes > HIGH_WATER) this.socket.pause();
    this.deliver();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.deliver();
  };
  private readonly onError = (error: Error) => {
    this.failure ??= error;
    this.deliver();
  };

  constructor(socket: Socket) {
    this.attach(socket);
  }

  get current(): Socket {
    return this.socket;
  }

  /** Stops reading from the current socket (before a TLS upgrade); nothing may be buffered then. */
  detach(): Socket {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onError);
    return this.socket;
  }

  attach(socket: Socket): void {
    this.socket = socket;
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
    this.ended = false;
  }

  hasBuffered(): boolean {
    return this.bufferedBytes > 0;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** The next line without its line end, or null when the connection closed. */
  readLine(): Promise<Buffer | null> {
    if (this.waiting) throw new Error("LineSocket: concurrent readLine");
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting) return;
    const line = this.takeLine();
    if (line) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(line);
      return;
    }
    if (this.failure) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(this.failure);
    } else if (this.ended) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(null);
    }
  }

  private takeLine(): Buffer | null {
    if (this.bufferedBytes === 0) return null;
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered)];
    const data = this.buffered[0];
    const end = data.indexOf(0x0a);
    if (end < 0) {
      if (data.length >= MAX_LINE_BYTES) {
        this.failure ??= new LineTooLongError();
        this.socket.destroy();
      }
      return null;
    }
    const lineEnd = end > 0 && data[end - 1] === 0x0d ? end - 1 : end;
    const line = data.subarray(0, lineEnd);
    const rest = data.subarray(end + 1);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    if (this.bufferedBytes < HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return Buffer.from(line);
  }
}
