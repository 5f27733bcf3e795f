// Values that end up inside a protocol line (IMAP/POP3/SMTP commands, headers): a CR, LF or NUL in one would
// end the line early and start a command of the sender's choosing. Client-safe: the form schemas use it too.
export const LINE_BREAK_MESSAGE = "Line breaks and NUL characters are not allowed here";

const UNSAFE = /[\r\n\0]/;

export function hasLineBreak(value: string): boolean {
  return UNSAFE.test(value);
}

/** For zod: `z.string().refine(isLineSafe, LINE_BREAK_MESSAGE)`. */
export function isLineSafe(value: string): boolean {
  return !UNSAFE.test(value);
}

export class ProtocolInjectionError extends Error {
  readonly code = "EPROTOCOLINJECTION";

  constructor(what: string) {
    super(`${what} contains a line break or NUL character, so it was not sent`);
    this.name = "ProtocolInjectionError";
  }
}

/** Throws before a value with CR/LF/NUL is written into a protocol line, whatever validated it before. */
export function assertLineSafe(value: string, what: string): string {
  if (UNSAFE.test(value)) throw new ProtocolInjectionError(what);
  return value;
}
