"use client";
// The runs as one client component given plain rows: as server components every cell was an element of the
// page's payload, serialized, parsed back and rendered again on every visit; rows of strings cost a fraction.

export type RunRow = {
  id: string;
  time: string;
  mailbox: string;
  kind: string;
  ok: boolean;
  mailsFetched: number;
  error: string | null;
  hint: { title?: string; action?: string } | null;
  hasTranscript: boolean;
};

export function RunsTable({ rows }: { rows: RunRow[] }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Mailbox</th>
          <th>Kind</th>
          <th>Result</th>
          <th>Mails</th>
          <th>Error</th>
          <th>Debug log</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((run) => (
          <tr key={run.id}>
            <td>{run.time}</td>
            <td>{run.mailbox}</td>
            <td>{run.kind}</td>
            <td>
              {run.ok ? <span className="badge badge-ok">OK</span> : <span className="badge badge-error">Failed</span>}
            </td>
            <td>{run.mailsFetched}</td>
            <td>
              {run.error ?? "—"}
              {run.hint?.title && (
                <div className="muted">
                  <strong>{run.hint.title}</strong> {run.hint.action}
                </div>
              )}
            </td>
            <td>
              {run.hasTranscript ? (
                <a href={`/activity/${run.id}`}>View transcript</a>
              ) : (
                <span className="muted">none</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
