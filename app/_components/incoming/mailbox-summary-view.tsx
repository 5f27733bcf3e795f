"use client";
// The dashboard's mailbox summary as one client component given counts and rows of strings (as the tables,
// see activity/runs-table.tsx): as server components every list item was elements of the page's payload,
// serialized and rendered again on every visit.
import Link from "next/link";

export type AttentionRow = { id: string; name: string; badge: string; status: string; lastError: string | null };

export function MailboxSummaryView({
  total,
  connected,
  mailsFetched,
  attention,
}: {
  total: number;
  connected: number;
  mailsFetched: number;
  attention: AttentionRow[];
}) {
  return (
    <section className="card stack" aria-label="Incoming mailboxes">
      <h2>Incoming mailboxes</h2>
      {total === 0 ? (
        <p>
          No mailbox yet. <Link href="/incoming/new">Add one</Link>.
        </p>
      ) : (
        <p>
          {total} mailbox{total === 1 ? "" : "es"}: {connected} connected
          {attention.length > 0 ? `, ${attention.length} need${attention.length === 1 ? "s" : ""} attention` : ""}
          {total - connected - attention.length > 0
            ? `, ${total - connected - attention.length} not verified or disabled`
            : ""}
          ; {mailsFetched} mails fetched.
        </p>
      )}
      {attention.length > 0 && (
        <ul>
          {attention.map((m) => (
            <li key={m.id}>
              <span className={`badge ${m.badge}`}>{m.status}</span>{" "}
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
