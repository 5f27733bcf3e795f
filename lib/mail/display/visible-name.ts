// Mail text shown as a name (subject, display names, attachment and folder names) with every character that
// changes how the rest reads made visible: bidi overrides and isolates turn "invoice" U+202E "fdp.exe" into what looks
// like a PDF, zero-width and other invisible format characters hide look-alike differences. Each becomes a
// visible marker such as ⟨U+202E⟩, so the real order and content can be seen. Client-safe.

// Cf (format) characters: bidi controls U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069, zero-width
// characters, soft hyphen, word joiner, BOM, interlinear annotation and tag characters, plus line and
// paragraph separators and C0/C1 controls that would break a name across lines.
const HIDDEN = /[\p{Cf}\u2028\u2029\u0000-\u001f\u007f-\u009f]/gu;

function marker(ch: string): string {
  return `⟨U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟩`;
}

const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** The text with every invisible or order-changing character replaced by a visible ⟨U+XXXX⟩ marker. */
export function visibleName(text: string): string {
  return text.replace(HIDDEN, (ch, offset: number) => {
    // A zero-width joiner inside an emoji sequence (👩‍💻) only joins pictures; anywhere else it is hidden text.
    if (
      ch === "\u200d" &&
      PICTOGRAPH.test(text.slice(offset - 2, offset)) &&
      PICTOGRAPH.test(text.slice(offset + 1, offset + 3))
    )
      return ch;
    return marker(ch);
  });
}

/** True when `visibleName` would change the text: the name holds characters that hide what it says. */
export function hasHiddenCharacters(text: string): boolean {
  return visibleName(text) !== text;
}
