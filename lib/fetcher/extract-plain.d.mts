// The types of extract-plain.mjs (plain JavaScript so that the worker threads load it unbundled).
/** The text of a single-part plain-text mail, or null when the mail needs the full parser. */
export function plainText(raw: Buffer): string | null;
