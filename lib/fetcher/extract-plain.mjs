// The cheap path for the commonest mail: one text/plain part in UTF-8 or ASCII, 7bit or 8bit, nothing else.
// Its text is the body with line ends made "\n", exactly what mailparser gives for it, without building a MIME
// tree through streams (the most of a full parse's time). Anything else, or anything unusual, returns null
// and goes through mailparser.

const FIELD = /^([!-9;-~]+):([^]*)$/;
const PLAIN = /^text\/plain\s*(?:;\s*charset\s*=\s*(?:"(?:utf-8|us-ascii)"|utf-8|us-ascii)\s*)?;?$/i;
const IDENTITY = /^(?:7bit|8bit)$/i;

/** The text of a single-part plain-text mail, or null when the mail needs the full parser. */
export function plainText(raw) {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0 || end > 64 * 1024) return null;
  const head = raw.toString("latin1", 0, end);
  // Bare line ends, 8-bit or control bytes in the header: the full parser's business.
  if (/[^\r]\n|\r(?!\n)|[^\t\r\n\x20-\x7e]/.test(head)) return null;
  let type = null;
  let encoding = null;
  const fields = [];
  for (const line of head.split("\r\n")) {
    if (line[0] === " " || line[0] === "\t") {
      if (fields.length === 0) return null;
      fields[fields.length - 1] += line;
    } else fields.push(line);
  }
  for (const field of fields) {
    const match = FIELD.exec(field);
    if (!match) return null;
    const name = match[1].toLowerCase();
    if (!name.startsWith("content-")) continue;
    const value = match[2].trim();
    if (name === "content-type" && type === null) type = value;
    else if (name === "content-transfer-encoding" && encoding === null) encoding = value;
    else return null;
  }
  if (type === null || !PLAIN.test(type)) return null;
  if (encoding !== null && !IDENTITY.test(encoding)) return null;
  // mailparser turns /\r?\n/ into "\n": the same as "\r\n" into "\n".
  return raw.toString("utf8", end + 4).replaceAll("\r\n", "\n");
}
