import { requirePageUser } from "@/lib/auth";

export default async function OutgoingPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>Outgoing mail</h1></div>
      <div className="card stack">
        <p>
          Outgoing mail settings (SMTP with STARTTLS, SMTPS, EWS and Microsoft Graph, with OAuth or a password) and the
          <strong> Send test mail</strong> button come in the next release.
        </p>
        <p className="muted">
          Microsoft switches SMTP basic authentication off by default at the end of December 2026: OAuth applications you set up
          under <a href="/oauth">OAuth applications</a> will serve outgoing mail too.
        </p>
      </div>
    </>
  );
}
