import type { Hint } from "@/lib/errors";
import type { OutgoingStatusView } from "@/lib/mail/outgoing";
import { formatDateTime } from "@/lib/format";
import { HintNote } from "@/app/_components/hint-note";

const LABELS: Record<string, { text: string; badge: string }> = {
  new: { text: "Not verified yet", badge: "" },
  ok: { text: "Active", badge: "badge-ok" },
  failing: { text: "Failing", badge: "badge-error" },
  reconnect_needed: { text: "Reconnect needed", badge: "badge-error" },
};

/** The status as the Outgoing page reads it; the connection's own status is shown elsewhere. */
export type TransportStatusView = Omit<OutgoingStatusView, "connection">;

/** The outgoing transport's status with its last error and hint. */
export function TransportStatus({ status }: { status: TransportStatusView }) {
  const label = LABELS[status.status] ?? LABELS.new;
  const hint = status.lastErrorHint ? (JSON.parse(status.lastErrorHint) as Hint) : null;
  return (
    <section className="card stack" aria-label="Outgoing status">
      <p>
        Status: <span className={`badge ${label.badge}`}>{label.text}</span>
        {status.lastSentAt ? <span className="muted"> · last sent {formatDateTime(status.lastSentAt)}</span> : null}
      </p>
      {status.status !== "ok" && status.lastError && (
        <>
          <p>
            Last error: <code>{status.lastError}</code>
          </p>
          {hint && <HintNote hint={hint} />}
        </>
      )}
      {status.incidentSince && (
        <p className="muted">
          Failing since {formatDateTime(status.incidentSince)}.{" "}
          {status.incidentNotifiedAt
            ? `${status.contactEmail} was told at ${formatDateTime(status.incidentNotifiedAt)}.`
            : status.contactEmail
              ? ""
              : "No Contact Information is set, so nobody was told."}
        </p>
      )}
    </section>
  );
}
