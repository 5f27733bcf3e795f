// A debug transcript of one connection: what the client sent (C:) and the server answered (S:), with every
// credential redacted before it is kept, long lines and message bodies shortened, and the whole bounded.
import { Redactor, REDACTED } from "./redactor";
import { transcriptHeaderLines, type TranscriptHeader } from "./transcript-header";

export type TranscriptOptions = {
  /** stop keeping lines beyond this many bytes (default 256 KiB) */
  maxBytes?: number;
  /** keep this many characters of a line (default 400) */
  maxLineChars?: number;
  /** lines of a message body kept before the rest is summarised (default 20) */
  maxBodyLines?: number;
  secrets?: (string | null | undefined)[];
  /** what the transcript is of; written at its top */
  header?: TranscriptHeader;
};

export type TranscriptDirection = "C" | "S" | "*";

export class TranscriptRecorder {
  readonly redactor: Redactor;
  private readonly lines: string[] = [];
  private bytes = 0;
  private droppedLines = 0;
  private readonly started = Date.now();
  /** the next client line is a SASL response or password (after a "+"/"334" challenge during AUTH) */
  private secretTurn = false;
  private readonly maxBytes: number;
  private readonly maxLineChars: number;
  readonly maxBodyLines: number;
  private readonly header: TranscriptHeader | undefined;

  constructor(options: TranscriptOptions = {}) {
    this.redactor = new Redactor(options.secrets ?? []);
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.maxLineChars = options.maxLineChars ?? 400;
    this.maxBodyLines = options.maxBodyLines ?? 20;
    this.header = options.header;
  }

  addSecret(secret: string | null | undefined): void {
    this.redactor.addSecret(secret);
  }

  /** The client sent a line. `sensitive`: its content is a credential, whatever it looks like. */
  client(line: string, opts: { sensitive?: boolean } = {}): void {
    if (opts.sensitive || this.secretTurn) {
      this.secretTurn = false;
      this.push("C", REDACTED);
      return;
    }
    if (/^(\S+ )?(AUTHENTICATE|AUTH) \S+\s*$/i.test(line.trim())) this.expectSecretAfterChallenge = true;
    this.push("C", this.redactor.redactClientLine(line));
  }

  private expectSecretAfterChallenge = false;

  /** The server sent a line. */
  server(line: string): void {
    if (this.expectSecretAfterChallenge && /^(\+|334)(\s|$)/.test(line)) this.secretTurn = true;
    else if (!/^(\+|334)(\s|$)/.test(line)) this.expectSecretAfterChallenge = false;
    this.push("S", this.redactor.redact(line));
  }

  /** A remark of Mailbridge itself (connecting, TLS established, reconnecting…). */
  note(text: string): void {
    this.push("*", this.redactor.redact(text));
  }

  private push(direction: TranscriptDirection, text: string): void {
    const clipped =
      text.length > this.maxLineChars
        ? `${text.slice(0, this.maxLineChars)}… [${text.length - this.maxLineChars} more characters]`
        : text;
    const seconds = ((Date.now() - this.started) / 1000).toFixed(3).padStart(8);
    const line = `${seconds} ${direction}: ${clipped}`;
    if (this.bytes + line.length + 1 > this.maxBytes) {
      this.droppedLines++;
      return;
    }
    this.bytes += line.length + 1;
    this.lines.push(line);
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** The kept transcript; every secret registered before the line was added is already gone. */
  text(): string {
    const tail =
      this.droppedLines > 0 ? [`[transcript limit reached: ${this.droppedLines} more line(s) not kept]`] : [];
    // A secret registered late (a token fetched mid-session) is removed from earlier lines too.
    const head = this.header ? transcriptHeaderLines(this.header) : [];
    return [...head, ...this.lines, ...tail].map((line) => this.redactor.redact(line)).join("\n") + "\n";
  }
}
