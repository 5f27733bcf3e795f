// One status per mailbox, as every page shows it: a connection that needs consent again outranks the
// mailbox's own last result. Counts and lists are made from this, so they cannot disagree. Client-safe.

export type MailboxStatus = "ok" | "new" | "failing" | "refresh_failing" | "reconnect_needed" | "disabled";

export const MAILBOX_STATUS_LABELS: Record<MailboxStatus, string> = {
  ok: "Connected",
  new: "Not verified",
  failing: "Failing",
  refresh_failing: "Token refresh failing",
  reconnect_needed: "Reconnect needed",
  disabled: "Disabled",
};

export const MAILBOX_STATUS_BADGES: Record<MailboxStatus, string> = {
  ok: "badge-ok",
  new: "badge-warn",
  failing: "badge-error",
  refresh_failing: "badge-error",
  reconnect_needed: "badge-error",
  disabled: "badge-warn",
};

export function mailboxStatus(mailbox: { status: string; connection?: { status: string } | null }): MailboxStatus {
  if (mailbox.connection?.status === "reconnect_needed" || mailbox.status === "reconnect_needed")
    return "reconnect_needed";
  // The grant's trouble outranks the mailbox's last result: never "Connected" over a broken refresh.
  if (mailbox.connection?.status === "refresh_failing") return "refresh_failing";
  return mailbox.status in MAILBOX_STATUS_LABELS ? (mailbox.status as MailboxStatus) : "new";
}

export function needsAttention(status: MailboxStatus): boolean {
  return status === "failing" || status === "reconnect_needed" || status === "refresh_failing";
}
