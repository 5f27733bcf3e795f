// Formatting shared by pages and downloads. Client-safe: holds nothing server-only.
export { formatDateTime } from "./date-time";
