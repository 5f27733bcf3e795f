// Hostile mails for preview tests, generated on demand: huge headers, thousands of attachments, deep nesting,
// a large binary-encoded attachment, bidi names and deceptive links.
import { randomBytes } from "node:crypto";

const CRLF = "\r\n";

export const RLO = "\u202E";
/** "invoice" RLO "fdp.exe": rendered raw it reads "invoiceexe.pdf". */
export const BIDI_ATTACHMENT = `invoice${RLO}fdp.exe`;

function envelope(subject: string): string[] {
  return [
    "From: Mallory <mallory@example.org>",
    "To: support@rig.test",
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(6).toString("hex")}@example.org>`,
    "MIME-Version: 1.0",
  ];
}

export function hugeHeaderMail(subject: string): string {
  const filler = Array.from({ length: 4000 }, (_, i) => `X-Filler-${i}: ${"a".repeat(200)}`);
  return [...envelope(subject), ...filler, "Content-Type: text/plain", "", "body under a huge header", ""].join(CRLF);
}

export function manyAttachmentsMail(subject: string, count: number): string {
  const parts = [
    ...envelope(subject),
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "The body before the flood",
  ];
  for (let i = 0; i < count; i++)
    parts.push(
      "--b",
      `Content-Type: application/octet-stream; name="f${i}.bin"`,
      `Content-Disposition: attachment; filename="f${i}.bin"`,
      "",
      "x",
    );
  parts.push("--b--", "");
  return parts.join(CRLF);
}

export function deepNestingMail(subject: string, depth: number): string {
  const lines = [...envelope(subject), 'Content-Type: multipart/mixed; boundary="d0"', ""];
  for (let i = 1; i <= depth; i++) lines.push(`--d${i - 1}`, `Content-Type: multipart/mixed; boundary="d${i}"`, "");
  lines.push(`--d${depth}`, "Content-Type: text/plain", "", "innermost");
  for (let i = depth; i >= 0; i--) lines.push(`--d${i}--`);
  return lines.join(CRLF);
}

/** A text part, then an attachment of `bytes` raw bytes with Content-Transfer-Encoding: binary (CRLF-safe). */
export function binaryAttachmentMail(subject: string, bytes: number): Buffer {
  const head = [
    ...envelope(subject),
    'Content-Type: multipart/mixed; boundary="bin"',
    "",
    "--bin",
    "Content-Type: text/plain",
    "",
    "See the attached archive.",
    "--bin",
    'Content-Type: application/octet-stream; name="archive.bin"',
    'Content-Disposition: attachment; filename="archive.bin"',
    "Content-Transfer-Encoding: binary",
    "",
    "",
  ].join(CRLF);
  // bytes 0x20–0x7e and 0x80–0xff only, in 900-byte lines, so no stray line end or boundary appears
  const line = Buffer.alloc(900);
  for (let i = 0; i < line.length; i++) line[i] = 0x80 + (i % 0x7f);
  const body: Buffer[] = [];
  for (let n = 0; n < bytes; n += line.length + 2) body.push(line, Buffer.from(CRLF));
  return Buffer.concat([Buffer.from(head, "latin1"), ...body, Buffer.from(`--bin--${CRLF}`)]);
}

/** A subject and an attachment name with a right-to-left override, and a link whose text names another site. */
export function bidiAndLinkMail(subject: string, linkHref: string): string {
  return [
    ...envelope(`${subject} ${RLO}fdp.exe`),
    'Content-Type: multipart/mixed; boundary="o"',
    "",
    "--o",
    "Content-Type: text/html; charset=utf-8",
    "",
    `<p>Pay here: <a href="${linkHref}" target="_self">https://www.paypal.com/</a></p>`,
    "--o",
    `Content-Type: application/octet-stream; name="${BIDI_ATTACHMENT}"`,
    `Content-Disposition: attachment; filename="${BIDI_ATTACHMENT}"`,
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("MZ fake").toString("base64"),
    "--o--",
    "",
  ].join(CRLF);
}

/** Header variants: one 2 MiB Subject line, a huge header inside the second part, a header that never ends. */
export function hugeHeaderVariants(subject: string): [string, string][] {
  const filler = Array.from({ length: 6000 }, (_, i) => `X-Part-Filler-${i}: ${"b".repeat(200)}`);
  return [
    [
      "one 2 MiB header line",
      [
        ...envelope(subject).filter((l) => !l.startsWith("Subject:")),
        `Subject: ${subject} ${"s".repeat(2 * 1024 * 1024)}`,
        "Content-Type: text/plain",
        "",
        "body",
        "",
      ].join(CRLF),
    ],
    [
      "a huge header in a nested part",
      [
        ...envelope(subject),
        'Content-Type: multipart/mixed; boundary="n"',
        "",
        "--n",
        "Content-Type: text/plain",
        "",
        "first part text",
        "--n",
        ...filler,
        "Content-Type: text/plain",
        "",
        "second",
        "--n--",
        "",
      ].join(CRLF),
    ],
    [
      "a header that never ends",
      [...envelope(subject), ...Array.from({ length: 20000 }, (_, i) => `X-Endless-${i}: ${"c".repeat(100)}`)].join(
        CRLF,
      ),
    ],
  ];
}
