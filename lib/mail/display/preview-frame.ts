// The document a sandboxed <iframe srcdoc> shows sanitized mail HTML in. The frame itself never navigates:
// every link opens in a new tab (<base target="_blank">, the sandbox lets only such popups out, without the
// console's origin), the CSP allows no scripts, no remote loads and no form posts, and each link's real
// target (written after it by the sanitizer) is set apart. Client-safe: components build the frame from the server's safe HTML.

/** Popups (new tabs) may leave the sandbox so the linked page works normally; nothing else is allowed. */
export const PREVIEW_FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox";

const FRAME_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";

const FRAME_STYLE = [
  "body { font: 14px/1.45 system-ui, sans-serif; margin: 0.75rem; overflow-wrap: anywhere; }",
  "img { max-width: 100%; height: auto; }",
  ".link-target { margin-left: 0.25em; font-size: 0.85em; color: #555; background: #f3f3f3; border-radius: 3px; padding: 0 0.2em; }",
].join("\n");

/** A complete HTML document for `srcdoc`; `safeHtml` must come from `sanitizeMailHtml`. */
export function previewFrameDocument(safeHtml: string): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">`,
    '<base target="_blank">',
    '<meta name="referrer" content="no-referrer">',
    `<style>${FRAME_STYLE}</style>`,
    "</head><body>",
    safeHtml,
    "</body></html>",
  ].join("");
}
