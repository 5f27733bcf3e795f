// Showing mail from strangers: names with hidden characters made visible, HTML made safe, and the sandboxed
// frame it is shown in. Shared by the sample fetch and the request pages. Components import "./client".
import "server-only";
export { visibleName, hasHiddenCharacters, previewFrameDocument, PREVIEW_FRAME_SANDBOX } from "./client";
export { sanitizeMailHtml, linkTarget, MAX_SAFE_HTML_INPUT } from "./safe-html";
