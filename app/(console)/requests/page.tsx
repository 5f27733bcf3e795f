import { requirePageUser } from "@/lib/auth";

export default async function RequestsPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>Requests</h1></div>
      <div className="card stack">
        <p>
          The scheduled fetcher will turn each new mail into a helpdesk request, or a reply on an existing request, and list them
          here. Until then, use <strong>Fetch a sample mail</strong> on a mailbox under <a href="/incoming">Incoming mail</a> to
          check its settings: it reads the oldest mail without changing anything on the server.
        </p>
      </div>
    </>
  );
}
