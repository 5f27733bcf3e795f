// Byte-level looks at a raw message that work when the MIME parser gives up: where the top-level header ends,
// its fields (each bounded), where the Nth part starts, and how many parts say they are attachments.

export type HeaderField = { name: string; value: string };

const MAX_FIELD_CHARS = 8 * 1024;
const MAX_FIELDS = 200;
/** the header block is looked for in this many bytes; a larger one is cut there */
const MAX_HEADER_SCAN = 256 * 1024;

/** Offset of the body (after the blank line that ends the top-level header), or -1 when there is none in reach. */
export function bodyOffset(raw: Buffer): number {
  const scan = raw.subarray(0, MAX_HEADER_SCAN);
  const crlf = scan.indexOf("\r\n\r\n");
  const lf = scan.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

/** The unfolded fields of the top-level header, at most MAX_FIELDS of at most MAX_FIELD_CHARS each. */
export function headerFields(raw: Buffer): HeaderField[] {
  const end = bodyOffset(raw);
  const block = raw.subarray(0, end >= 0 ? end : MAX_HEADER_SCAN).toString("latin1");
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields[fields.length - 1];
      if (last.value.length < MAX_FIELD_CHARS) last.value = `${last.value} ${line.trim()}`.slice(0, MAX_FIELD_CHARS);
      continue;
    }
    const match = /^([!-9;-~]{1,76}):[ \t]*(.*)$/.exec(line);
    if (!match) continue;
    if (fields.length >= MAX_FIELDS) break;
    fields.push({ name: match[1], value: match[2].slice(0, MAX_FIELD_CHARS) });
  }
  return fields;
}

/** The boundaries declared anywhere in the data (multipart Content-Type parameters). */
function boundaries(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi))
    found.add(match[1] ?? match[2]);
  return [...found];
}

/** Offset of the delimiter line that starts part number `n` (counting every part at any depth), or -1. */
export function partStart(raw: Buffer, n: number): number {
  const text = raw.toString("latin1");
  const delimiters = boundaries(text).map((b) => `--${b}`);
  if (delimiters.length === 0) return -1;
  let seen = 0;
  const lineStart = /(^|\n)--/g;
  for (let match = lineStart.exec(text); match; match = lineStart.exec(text)) {
    const at = match.index + match[1].length;
    const rest = text.slice(at, at + 210);
    if (!delimiters.some((d) => rest.startsWith(d) && !rest.startsWith(`${d}--`))) continue;
    if (++seen === n) return at;
  }
  return -1;
}

/** Parts whose headers say they are attachments (Content-Disposition: attachment), in the data given. */
export function countAttachments(raw: Buffer): number {
  return raw.toString("latin1").match(/^content-disposition:[ \t]*attachment/gim)?.length ?? 0;
}
