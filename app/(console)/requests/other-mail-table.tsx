"use client";
// Mail not turned into a request, as one client component given rows of strings (see request-table.tsx).

export type OtherMailRow = {
  id: string;
  subject: string;
  from: string;
  mailbox: string;
  badge: string;
  label: string;
  reason: string | null;
  fetched: string;
};

export function OtherMailTable({ rows }: { rows: OtherMailRow[] }) {
  return (
    <table className="table" aria-label="Mail not turned into a request">
      <thead>
        <tr>
          <th>Subject</th>
          <th>From</th>
          <th>Mailbox</th>
          <th>Why</th>
          <th>Fetched</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr key={m.id}>
            <td>
              <a href={`/requests/mail/${m.id}`}>{m.subject}</a>
            </td>
            <td>{m.from}</td>
            <td>{m.mailbox}</td>
            <td>
              <span className={`badge ${m.badge}`}>{m.label}</span> <span className="muted">{m.reason}</span>
            </td>
            <td>{m.fetched}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
