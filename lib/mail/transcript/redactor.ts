// Removes every credential from protocol lines before they are kept: the known secrets (tokens, passwords) in
// plain, base64 and base64url form at any alignment inside a larger payload, SASL payloads of AUTHENTICATE /
// AUTH, LOGIN and PASS arguments, Authorization headers and anything shaped like a JWT.
export const REDACTED = "[redacted]";

const MIN_SECRET_LENGTH = 4;
const MIN_ENCODED_FRAGMENT = 8;

const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * The base64 text that the secret produces inside ANY base64 payload: for each of the three byte alignments,
 * the characters that depend only on the secret's bytes.
 */
export function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const forms = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const fullGroups = Math.floor(padded.length / 3);
    for (const encoding of ["base64", "base64url"] as const) {
      const encoded = padded.toString(encoding);
      const stable = encoded.slice(offset > 0 ? 4 : 0, fullGroups * 4);
      if (stable.length >= MIN_ENCODED_FRAGMENT) forms.add(stable);
    }
  }
  // The whole secret encoded on its own (with padding) as well.
  forms.add(bytes.toString("base64"));
  return [...forms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(secrets: Iterable<string | null | undefined> = []) {
    for (const secret of secrets) this.addSecret(secret);
  }

  /** Registers a secret; it and its encoded forms are removed from every later line. */
  addSecret(secret: string | null | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    const before = this.secrets.size;
    for (const form of [secret, encodeURIComponent(secret), ...encodedForms(secret)]) this.secrets.add(form);
    if (this.secrets.size !== before) this.pattern = null;
  }

  private secretPattern(): RegExp | null {
    if (this.secrets.size === 0) return null;
    // Longest first, so a secret is not half-replaced by a shorter form of itself.
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    return this.pattern;
  }

  /** Any text: known secrets and JWT-shaped strings removed. */
  redact(text: string): string {
    const pattern = this.secretPattern();
    const withoutSecrets = pattern ? text.replace(pattern, REDACTED) : text;
    return withoutSecrets.replace(JWT_PATTERN, REDACTED);
  }

  /** A protocol line the client sent: credentials in command arguments removed, then `redact()`. */
  redactClientLine(line: string): string {
    return this.redact(redactCommandArguments(line));
  }
}

/** Credential arguments of IMAP, POP3, SMTP and HTTP lines. */
export function redactCommandArguments(line: string): string {
  return (
    line
      // IMAP: a1 AUTHENTICATE XOAUTH2 <payload> / a1 LOGIN user pass
      .replace(/^(\S+ AUTHENTICATE \S+) \S+.*$/i, `$1 ${REDACTED}`)
      .replace(/^(\S+ LOGIN (?:"(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+)) .*$/i, `$1 ${REDACTED}`)
      // POP3 / SMTP: AUTH XOAUTH2 <payload>, AUTH PLAIN <payload>, AUTH LOGIN <user b64>
      .replace(/^(AUTH \S+) \S+.*$/i, `$1 ${REDACTED}`)
      .replace(/^(PASS|APOP \S+) .*$/i, `$1 ${REDACTED}`)
      .replace(/^(PASS) .*$/i, `$1 ${REDACTED}`)
      // HTTP
      .replace(/^(authorization|proxy-authorization|x-ms-diagnostics|cookie|set-cookie)\s*:.*$/i, `$1: ${REDACTED}`)
      .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`)
      // form bodies: token=, password=, client_secret=, refresh_token=, assertion=
      .replace(
        /\b(access_token|refresh_token|id_token|token|password|client_secret|client_assertion|assertion|code)=[^&\s]+/gi,
        `$1=${REDACTED}`,
      )
  );
}
