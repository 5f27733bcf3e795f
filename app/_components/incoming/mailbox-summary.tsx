import {
  MAILBOX_STATUS_BADGES,
  MAILBOX_STATUS_LABELS,
  mailboxStatus,
  needsAttention,
  type listMailboxes,
} from "@/lib/mail/incoming";
import { MailboxSummaryView } from "./mailbox-summary-view";

type Mailboxes = Awaited<ReturnType<typeof listMailboxes>>;

/** The dashboard's view of incoming mailboxes: counts and the list of those needing attention, from one status. */
export function MailboxSummary({ mailboxes }: { mailboxes: Mailboxes }) {
  const withStatus = mailboxes.map((m) => ({ ...m, shown: mailboxStatus(m) }));
  const attention = withStatus.filter((m) => needsAttention(m.shown));
  return (
    <MailboxSummaryView
      total={mailboxes.length}
      connected={withStatus.filter((m) => m.shown === "ok").length}
      mailsFetched={mailboxes.reduce((sum, m) => sum + m.mailsFetched, 0)}
      attention={attention.map((m) => ({
        id: m.id,
        name: m.name,
        badge: MAILBOX_STATUS_BADGES[m.shown],
        status: MAILBOX_STATUS_LABELS[m.shown],
        lastError: m.lastError,
      }))}
    />
  );
}
