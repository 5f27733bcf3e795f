import Link from "next/link";
import {
  MAILBOX_STATUS_BADGES,
  MAILBOX_STATUS_LABELS,
  mailboxStatus,
  needsAttention,
  type listMailboxes,
} from "@/lib/mail/incoming";

type Mailboxes = Awaited<ReturnType<typeof listMailboxes>>;

/** The dashboard's view of incoming mailboxes: counts and the list of those needing attention, from one status. */
export function MailboxSummary({ mailboxes }: { mailboxes: Mailboxes }) {
  const withStatus = mailboxes.map((m) => ({ ...m, shown: mailboxStatus(m) }));
  const attention = withStatus.filter((m) => needsAttention(m.shown));
  const connected = withStatus.filter((m) => m.shown === "ok").length;
  return (
    <section className="card stack" aria-label="Incoming mailboxes">
      <h2>Incoming mailboxes</h2>
      {mailboxes.length === 0 ? (
        <p>
          No mailbox yet. <Link href="/incoming/new">Add one</Link>.
        </p>
      ) : (
        <p>
          {mailboxes.length} mailbox{mailboxes.length === 1 ? "" : "es"}: {connected} connected
          {attention.length > 0 ? `, ${attention.length} need${attention.length === 1 ? "s" : ""} attention` : ""}
          {mailboxes.length - connected - attention.length > 0
            ? `, ${mailboxes.length - connected - attention.length} not verified or disabled`
            : ""}
          ; {mailboxes.reduce((sum, m) => sum + m.mailsFetched, 0)} mails fetched.
        </p>
      )}
      {attention.length > 0 && (
        <ul>
          {attention.map((m) => (
            <li key={m.id}>
              <span className={`badge ${MAILBOX_STATUS_BADGES[m.shown]}`}>{MAILBOX_STATUS_LABELS[m.shown]}</span>{" "}
              {/* a plain link: a client component per mailbox cost render time on every dashboard visit */}
              <a href={`/incoming/${m.id}`}>{m.name}</a>
              {m.lastError ? `: ${m.lastError}` : ""}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
