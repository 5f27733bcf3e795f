import Link from "next/link";
import { requirePageUser } from "@/lib/auth";
import { expiryWarnings, listApplications, PRESET_LABELS, redirectUri, type Preset } from "@/lib/oauth";
import { GRANT_LABELS } from "@/lib/oauth/client";
import { formatDateTime } from "@/lib/format";
import { ConsentResultBanner } from "@/app/_components/oauth/consent-result-banner";
import { ConnectionActions } from "./connection-actions";
import { StatusBadge } from "./status-badge";

export default async function OAuthPage() {
  const me = await requirePageUser();
  const apps = await listApplications();
  const admin = me.role === "admin";
  return (
    <>
      <div className="page-header">
        <h1>OAuth applications</h1>
        {admin && (
          <Link className="btn btn-primary" href="/oauth/new">
            New connection
          </Link>
        )}
      </div>
      <ConsentResultBanner />
      <p className="muted">
        An application is one client registration at a provider (one Azure app or Google client for all mailboxes). Each
        mailbox and direction has its own connection with its own tokens. Redirect URL to register:{" "}
        <code>{redirectUri()}</code>
      </p>
      {apps.length === 0 && (
        <div className="card">
          <p>
            No OAuth applications yet. They are created when you save a mailbox with OAuth, or here with New connection.
          </p>
        </div>
      )}
      {apps.map((app) => {
        const appWarnings = expiryWarnings({
          application: { name: app.name, preset: app.preset, secretExpiresOn: app.secretExpiresOn },
        });
        return (
          <section key={app.id} className="card stack" aria-label={`Application ${app.name}`}>
            <div className="page-header">
              <h2>{PRESET_LABELS[app.preset as Preset] ?? app.preset}</h2>
              <Link className="btn btn-secondary" href={`/oauth/applications/${app.id}`}>
                {admin ? "Edit application" : "View application"}
              </Link>
            </div>
            <p className="muted">
              Client ID <code>{app.clientId}</code>
              {app.tenant ? (
                <>
                  {" "}
                  · tenant <code>{app.tenant}</code>
                </>
              ) : null}{" "}
              · token URL <code>{app.tokenUrl}</code>
            </p>
            {appWarnings.map((w, i) => (
              <div key={i} className={`alert ${w.severity === "error" ? "alert-error" : "alert-warn"}`} role="alert">
                {w.message}
              </div>
            ))}
            <table className="table">
              <thead>
                <tr>
                  <th>Mailbox</th>
                  <th>Grant</th>
                  <th>Status</th>
                  <th>Access token</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {app.connections.map((c) => {
                  const warnings = expiryWarnings({
                    application: { name: app.name, preset: app.preset, secretExpiresOn: null },
                    connection: c,
                  });
                  const label = c.loginHint ?? c.subject ?? c.id;
                  return (
                    <tr key={c.id}>
                      <td>
                        <Link href={`/oauth/${c.id}`}>{label}</Link>
                        <div className="muted">
                          {c.direction}
                          {c.incomingMailboxes.length ? ` · ${c.incomingMailboxes.map((m) => m.name).join(", ")}` : ""}
                        </div>
                      </td>
                      <td>
                        {GRANT_LABELS[c.grantType as keyof typeof GRANT_LABELS] ?? c.grantType}
                        <div className="muted">
                          <code>{c.scope}</code>
                        </div>
                      </td>
                      <td>
                        <StatusBadge status={c.status} />
                        {c.statusReason && <p className="field-error">{c.statusReason}</p>}
                        {c.statusHint && <p className="field-help">{c.statusHint}</p>}
                        {warnings.map((w, i) => (
                          <p key={i} className={w.severity === "error" ? "field-error" : "field-help"} role="alert">
                            {w.message}
                          </p>
                        ))}
                      </td>
                      <td>{c.accessTokenExpiresAt ? `expires ${formatDateTime(c.accessTokenExpiresAt)}` : "none"}</td>
                      <td>
                        {admin && (
                          <ConnectionActions
                            connectionId={c.id}
                            interactive={c.grantType === "authorization_code"}
                            label={label}
                            returnTo="/oauth"
                          />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        );
      })}
    </>
  );
}
