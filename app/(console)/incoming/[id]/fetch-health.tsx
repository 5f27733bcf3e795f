import type { MailboxHealth } from "@/lib/fetcher";
import { formatDateTime } from "@/lib/format";
import { FetchNow } from "./fetch-now";
import type { IncomingProtocol } from "@/lib/mail/incoming/client";
import { ImportExisting } from "./import-existing";

const LABEL: Record<string, { text: string; badge: string }> = {
  ok: { text: "OK", badge: "badge-ok" },
  new: { text: "Not fetched yet", badge: "badge-warn" },
  failing: { text: "Failing", badge: "badge-error" },
  reconnect_needed: { text: "Reconnect needed", badge: "badge-error" },
  disabled: { text: "Disabled", badge: "badge-warn" },
};

/** Status, last and next fetch, mails imported, the last error with its hint, token expiry, import progress. */
export function FetchHealth({
  id,
  protocol,
  health,
  admin,
}: {
  id: string;
  protocol: IncomingProtocol;
  health: MailboxHealth;
  admin: boolean;
}) {
  const label = LABEL[health.status] ?? { text: health.status, badge: "" };
  return (
    <section className="card stack" aria-label="Fetching">
      <h2>
        Fetching <span className={`badge ${label.badge}`}>{label.text}</span>
        {health.fetching && <span className="badge">Fetching now</span>}
      </h2>
      <div className="grid-2">
        <div>Last fetch: {formatDateTime(health.lastFetchAt)}</div>
        <div>Next fetch: {formatDateTime(health.nextFetchAt)}</div>
        <div>Mails fetched: {health.mailsFetched}</div>
        <div>
          Access token expires:{" "}
          {health.tokenExpiresAt ? formatDateTime(health.tokenExpiresAt) : "— (password or not signed in)"}
        </div>
      </div>
      {health.lastError && (
        <div className="alert alert-error">
          {health.consecutiveFailures > 1 ? `Failed ${health.consecutiveFailures} times in a row: ` : ""}
          {health.lastError}
          {health.hint?.title && (
            <div>
              <strong>{health.hint.title}</strong>
              {health.hint.action ? ` ${health.hint.action}` : ""}
            </div>
          )}
          {health.incident && (
            <div>
              Failing since {formatDateTime(health.incident.since)}.{" "}
              {health.incident.notifiedAt
                ? `The Contact Information address was told at ${formatDateTime(health.incident.notifiedAt)}; no further notice until the mailbox works again.`
                : "The Contact Information address has not been told (set it in the outgoing mail settings)."}
            </div>
          )}
        </div>
      )}
      {!health.firstConnectionDone && (
        <p className="muted">
          The first fetch imports only mail arriving from then on; existing mail stays untouched unless you import it.
        </p>
      )}
      {health.importing && (
        <div>
          Importing mail since {health.importing.since.toISOString().slice(0, 10)}: {health.importing.done} of{" "}
          {health.importing.total || "?"}
          <progress
            max={Math.max(1, health.importing.total)}
            value={Math.min(health.importing.done, Math.max(1, health.importing.total))}
            aria-label="Import progress"
            style={{ width: "100%" }}
          />
        </div>
      )}
      {admin && <FetchNow id={id} />}
      {admin && <ImportExisting id={id} protocol={protocol} />}
    </section>
  );
}
