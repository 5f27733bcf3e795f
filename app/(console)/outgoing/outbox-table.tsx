"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { formatDateTime } from "@/lib/format";
import { cancelOutboxAction, retryOutboxAction } from "./actions";

export type OutboxRow = {
  id: string;
  kind: string;
  state: string;
  subject: string;
  to: string;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  hint: { title: string; action: string } | null;
  needsReview: boolean;
  server: string | null;
  queueId: string | null;
  sentAt: string | null;
  createdAt: string;
};

const STATE_BADGE: Record<string, string> = {
  sent: "badge-ok",
  queued: "badge-warn",
  sending: "badge-warn",
  failed: "badge-error",
  cancelled: "",
};

/** The outbox: queued, sent and failed messages with their errors; failed or queued ones can be retried or cancelled. */
export function OutboxTable({ rows, readOnly }: { rows: OutboxRow[]; readOnly: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const router = useRouter();
  const act = (action: typeof retryOutboxAction, id: string) =>
    startTransition(async () => {
      const result = await action({ id });
      setError(result.ok ? null : result.error);
      router.refresh();
    });
  if (rows.length === 0) return <p className="muted">Nothing has been sent yet.</p>;
  return (
    <div className="stack">
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <table className="table" aria-label="Outbox">
        <thead>
          <tr>
            <th>State</th>
            <th>Message</th>
            <th>Attempts</th>
            <th>Result</th>
            {!readOnly && <th />}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>
                <span className={`badge ${STATE_BADGE[row.state] ?? ""}`}>
                  {row.needsReview ? "needs review" : row.state}
                </span>
              </td>
              <td>
                <div>{row.subject}</div>
                <div className="muted">
                  {row.kind} to {row.to} · {formatDateTime(new Date(row.createdAt))}
                </div>
              </td>
              <td>
                {row.attempts} / {row.maxAttempts}
                {row.state === "queued" && row.attempts > 0 ? (
                  <div className="muted">next {formatDateTime(new Date(row.nextAttemptAt))}</div>
                ) : null}
              </td>
              <td>
                {row.state === "sent" && (
                  <div>
                    through {row.server}
                    {row.queueId ? (
                      <>
                        {" "}
                        · queue id <code>{row.queueId}</code>
                      </>
                    ) : null}
                  </div>
                )}
                {row.lastError && row.state !== "sent" && (
                  <div>
                    <code>{row.lastError}</code>
                  </div>
                )}
                {row.hint && row.state !== "sent" && (
                  <div className="muted">
                    <strong>{row.hint.title}</strong>: {row.hint.action}
                  </div>
                )}
              </td>
              {!readOnly && (
                <td>
                  {(row.state === "failed" || row.state === "queued") && (
                    <div className="actions">
                      <button
                        type="button"
                        className="btn btn-secondary"
                        disabled={busy}
                        onClick={() => act(retryOutboxAction, row.id)}
                      >
                        Retry
                      </button>
                      <button
                        type="button"
                        className="btn btn-secondary"
                        disabled={busy}
                        onClick={() => act(cancelOutboxAction, row.id)}
                      >
                        Cancel
                      </button>
                    </div>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
