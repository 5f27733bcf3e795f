"use client";
// One client component given rows of strings, as the Activity page's runs (activity/runs-table.tsx): as server
// components every cell was an element of the page's payload, serialized and rendered again on every visit.

export type RequestTableRow = {
  id: string;
  number: number;
  subject: string;
  from: string;
  mailbox: string;
  status: string;
  messageCount: number;
  lastMail: string;
};

export function RequestTable({ rows }: { rows: RequestTableRow[] }) {
  return (
    <table className="table" aria-label="Requests">
      <thead>
        <tr>
          <th>#</th>
          <th>Subject</th>
          <th>From</th>
          <th>Mailbox</th>
          <th>Status</th>
          <th>Mails</th>
          <th>Last mail</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>{r.number}</td>
            <td>
              <a href={`/requests/${r.id}`}>{r.subject}</a>
            </td>
            <td>{r.from}</td>
            <td>{r.mailbox}</td>
            <td>{r.status}</td>
            <td>{r.messageCount}</td>
            <td>{r.lastMail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
