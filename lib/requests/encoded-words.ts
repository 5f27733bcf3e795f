// RFC 2047 encoded words (=?charset?B|Q?text?=) in a header value, decoded; unknown charsets fall back to UTF-8.
const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function decoder(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset.split("*")[0].trim().toLowerCase(), { fatal: false });
  } catch {
    return new TextDecoder("utf-8", { fatal: false });
  }
}

function bytesOf(encoding: string, text: string): Buffer {
  if (encoding.toLowerCase() === "b") return Buffer.from(text, "base64");
  const qp = text
    .replace(/_/g, " ")
    .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(qp, "latin1");
}

export function decodeEncodedWords(value: string): string {
  if (!value.includes("=?")) return value;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/(\?=)\s+(=\?)/g, "$1$2");
  return joined.replace(WORD, (_match, charset: string, encoding: string, text: string) =>
    decoder(charset).decode(bytesOf(encoding, text)),
  );
}
