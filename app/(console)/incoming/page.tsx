import Link from "next/link";
import { requirePageUser } from "@/lib/auth";
import { formatDateTime as when } from "@/lib/format";
import { listMailboxes, MAILBOX_STATUS_BADGES, MAILBOX_STATUS_LABELS, mailboxStatus } from "@/lib/mail/incoming";
import { PROTOCOL_LABELS } from "@/lib/mail/incoming/client";
import type { IncomingProtocol } from "@/lib/mail/incoming";

export default async function IncomingPage() {
  const me = await requirePageUser();
  const mailboxes = await listMailboxes();
  return (
    <>
      <div className="page-header">
        <h1>Incoming mail</h1>
        {me.role === "admin" && (
          <Link className="btn btn-primary" href="/incoming/new">
            Add a mailbox
          </Link>
        )}
      </div>
      {mailboxes.length === 0 ? (
        <div className="card">
          <p>No mailbox yet.{me.role === "admin" ? " Add one to start fetching mail." : ""}</p>
        </div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Protocol</th>
              <th>Server</th>
              <th>Status</th>
              <th>Last fetch</th>
              <th>Next fetch</th>
              <th>Mails fetched</th>
              <th>Token expiry</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {mailboxes.map((m) => {
              const status = mailboxStatus(m);
              const hint = m.lastErrorHint ? (JSON.parse(m.lastErrorHint) as { title?: string }) : null;
              return (
                <tr key={m.id}>
                  <td>
                    {/* a plain link: a client component per row cost render time on every visit */}
                    <a href={`/incoming/${m.id}`}>{m.name}</a>
                  </td>
                  <td>{PROTOCOL_LABELS[m.protocol as IncomingProtocol] ?? m.protocol}</td>
                  <td>{m.connectUrl || `${m.host}:${m.port}`}</td>
                  <td>
                    <span className={`badge ${MAILBOX_STATUS_BADGES[status]}`}>{MAILBOX_STATUS_LABELS[status]}</span>
                  </td>
                  <td>{when(m.lastFetchAt)}</td>
                  <td>{when(m.nextFetchAt)}</td>
                  <td>{m.mailsFetched}</td>
                  <td>{m.authType === "oauth" ? when(m.connection?.accessTokenExpiresAt ?? null) : "password"}</td>
                  <td>
                    {m.lastError ? <span>{m.lastError}</span> : "—"}
                    {hint?.title && <div className="muted">{hint.title}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
