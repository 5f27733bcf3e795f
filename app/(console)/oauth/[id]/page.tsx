import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getConnectionForEdit, getConnectionStatus, redirectUri } from "@/lib/oauth";
import { formatDateTime } from "@/lib/format";
import { IdentityNotice } from "@/app/_components/oauth/identity-notice";
import { ConnectionActions } from "../connection-actions";
import { ConnectionForm } from "../connection-form";
import { StatusBadge } from "../status-badge";

export default async function EditConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  const { id } = await params;
  const [stored, status] = await Promise.all([getConnectionForEdit(id), getConnectionStatus(id)]);
  if (!stored || !status) notFound();
  return (
    <>
      <div className="page-header">
        <h1>OAuth connection</h1>
      </div>
      <section className="card stack" aria-label="Connection status">
        <p>
          <StatusBadge status={status.status} />{" "}
          {status.accessTokenExpiresAt
            ? `Access token valid until ${formatDateTime(status.accessTokenExpiresAt)}.`
            : "No access token yet."}
        </p>
        {status.statusReason && <p className="field-error">{status.statusReason}</p>}
        {status.statusHint && <p className="field-help">{status.statusHint}</p>}
        {status.identity && me.role === "admin" && (
          <IdentityNotice identity={status.identity} connectionId={id} returnTo={`/oauth/${id}`} />
        )}
        {status.warnings.map((w, i) => (
          <div key={i} className={`alert ${w.severity === "error" ? "alert-error" : "alert-warn"}`} role="alert">
            {w.message}
          </div>
        ))}
        {me.role === "admin" && (
          <ConnectionActions
            connectionId={id}
            interactive={status.grantType === "authorization_code"}
            label={stored.loginHint || stored.subject || id}
            returnTo={`/oauth/${id}`}
          />
        )}
      </section>
      <ConnectionForm stored={stored} applications={[]} redirectUrl={redirectUri()} readOnly={me.role !== "admin"} />
    </>
  );
}
