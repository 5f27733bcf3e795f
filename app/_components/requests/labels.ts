import { formatDateTime } from "@/lib/format";

export const MAIL_STATE_LABEL: Record<string, { text: string; badge: string }> = {
  request_created: { text: "New request", badge: "badge-ok" },
  reply_added: { text: "Reply", badge: "badge-ok" },
  not_a_request: { text: "Not turned into a request", badge: "badge-warn" },
  auto_reply: { text: "Automatic mail", badge: "badge-warn" },
  duplicate: { text: "Duplicate", badge: "" },
  flagged: { text: "Flagged", badge: "badge-error" },
};

export function when(date: Date | null): string {
  return date ? formatDateTime(date) : "—";
}

export function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
