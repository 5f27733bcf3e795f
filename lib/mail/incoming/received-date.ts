// When a message arrived, read from its header alone (for POP3, which has no date search): the date of its
// newest Received: line (the last hop, the receiving server's clock), else its Date:, else unknown.

/** The header's fields, unfolded, in order (name lower-cased). */
function fields(header: string): { name: string; value: string }[] {
  const end = header.search(/\r?\n\r?\n/);
  const text = (end < 0 ? header : header.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  return text.split(/\r?\n/).flatMap((line) => {
    const colon = line.indexOf(":");
    return colon > 0 ? [{ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() }] : [];
  });
}

/** An RFC 5322 date-time (comments dropped), or null when it does not parse. */
function parseDate(text: string): number | null {
  const at = Date.parse(
    text
      .replace(/\([^)]*\)/g, " ")
      .replace(/\s+/g, " ")
      .trim(),
  );
  return Number.isNaN(at) ? null : at;
}

export function receivedAt(header: Buffer | string): Date | null {
  const all = fields(typeof header === "string" ? header : header.toString("latin1"));
  // The topmost Received: is the newest hop; its date follows the last ";".
  const received = all.find((f) => f.name === "received");
  const hop =
    received && received.value.includes(";")
      ? parseDate(received.value.slice(received.value.lastIndexOf(";") + 1))
      : null;
  if (hop !== null) return new Date(hop);
  const date = all.find((f) => f.name === "date");
  const sent = date ? parseDate(date.value) : null;
  return sent === null ? null : new Date(sent);
}
