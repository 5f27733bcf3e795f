"use client";
// The mailboxes as one client component given rows of strings (see activity/runs-table.tsx): as server
// components every cell was an element of the page's payload, serialized and rendered again on every visit.

export type MailboxTableRow = {
  id: string;
  name: string;
  protocol: string;
  server: string;
  badge: string;
  status: string;
  lastFetch: string;
  nextFetch: string;
  mailsFetched: number;
  tokenExpiry: string;
  lastError: string | null;
  hintTitle: string | null;
};

export function MailboxTable({ rows }: { rows: MailboxTableRow[] }) {
  return (
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
        {rows.map((m) => (
          <tr key={m.id}>
            <td>
              <a href={`/incoming/${m.id}`}>{m.name}</a>
            </td>
            <td>{m.protocol}</td>
            <td>{m.server}</td>
            <td>
              <span className={`badge ${m.badge}`}>{m.status}</span>
            </td>
            <td>{m.lastFetch}</td>
            <td>{m.nextFetch}</td>
            <td>{m.mailsFetched}</td>
            <td>{m.tokenExpiry}</td>
            <td>
              {m.lastError ? <span>{m.lastError}</span> : "—"}
              {m.hintTitle && <div className="muted">{m.hintTitle}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
