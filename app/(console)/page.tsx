import Link from "next/link";
import { MailboxSummary } from "@/app/_components/incoming/mailbox-summary";
import { requirePageUser } from "@/lib/auth";
import { config } from "@/lib/config";
import { listMailboxes } from "@/lib/mail/incoming";
import { allExpiryWarnings } from "@/lib/oauth";
import packageJson from "@/package.json";

export default async function DashboardPage() {
  const user = await requirePageUser();
  // The page could not render without the database; /api/health is where reachability is asked.
  const database = config().database.provider === "sqlite" ? "SQLite (embedded)" : "PostgreSQL";
  const [warnings, mailboxes] = await Promise.all([allExpiryWarnings(), listMailboxes()]);
  return (
    <>
      <div className="page-header">
        <h1>Dashboard</h1>
      </div>
      <section className="card">
        <h2>Welcome, {user.name || user.email}</h2>
        <p className="muted">
          Mailbridge {packageJson.version} · database {database}.
          {mailboxes.length === 0 && (
            <>
              {" "}
              Getting started: set up an OAuth application, then add your mailboxes under Incoming mail and press{" "}
              <strong>Fetch a sample mail</strong> to prove the settings work.
            </>
          )}
        </p>
      </section>
      <MailboxSummary mailboxes={mailboxes} />
      {warnings.length > 0 && (
        <section className="card stack" aria-label="Expiry warnings">
          <h2>Needs attention</h2>
          {warnings.map(({ connectionId, warning }, i) => (
            <div
              key={i}
              className={`alert ${warning.severity === "error" ? "alert-error" : "alert-warn"}`}
              role="alert"
            >
              {warning.message}{" "}
              {connectionId ? (
                <Link href={`/oauth/${connectionId}`}>Open the connection</Link>
              ) : (
                <Link href="/oauth">Open OAuth applications</Link>
              )}
            </div>
          ))}
        </section>
      )}
    </>
  );
}
