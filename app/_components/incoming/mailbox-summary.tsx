import Link from "next/link";
import { listMailboxes } from "@/lib/mail/incoming";

/** The dashboard's view of incoming mailboxes: how many are fine and which need attention. */
export async function MailboxSummary() {
  const mailboxes = await listMailboxes();
  const attention = mailboxes.filter((m) => m.status === "failing" || m.status === "reconnect_needed" || m.connection?.status === "reconnect_needed" || m.connection?.status === "refresh_failing");
  return (
    <section className="card stack" aria-label="Incoming mailboxes">
      <h2>Incoming mailboxes</h2>
      {mailboxes.length === 0 ? (
        <p>No mailbox yet. <Link href="/incoming/new">Add one</Link>.</p>
      ) : (
        <p>
          {mailboxes.length} mailbox{mailboxes.length === 1 ? "" : "es"}, {mailboxes.filter((m) => m.status === "ok").length} connected,{" "}
          {mailboxes.reduce((sum, m) => sum + m.mailsFetched, 0)} mails fetched.
        </p>
      )}
      {attention.length > 0 && (
        <ul>
          {attention.map((m) => (
            <li key={m.id}>
              <span className="badge badge-error">{m.connection?.status === "reconnect_needed" ? "Reconnect needed" : m.connection?.status === "refresh_failing" ? "Token refresh failing" : "Failing"}</span>{" "}
              <Link href={`/incoming/${m.id}`}>{m.name}</Link>{m.lastError ? `: ${m.lastError}` : ""}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
