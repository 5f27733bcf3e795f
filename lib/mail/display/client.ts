// Client-safe part of mail display: what components need to show mail names and the preview frame.
export { visibleName, hasHiddenCharacters } from "./visible-name";
export { previewFrameDocument, PREVIEW_FRAME_SANDBOX } from "./preview-frame";
