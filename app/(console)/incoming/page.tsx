import { requirePageUser } from "@/lib/auth";

export default async function IncomingPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>Incoming mail</h1></div>
      <div className="card stack">
        <p>
          Mailbox settings (IMAP, IMAPS, POP, POPS, EWS and Microsoft Graph, with OAuth or a password) with
          <strong> Fetch a sample mail</strong> and the debug log are being built and will appear here.
        </p>
      </div>
    </>
  );
}
