import { requirePageUser } from "@/lib/auth";

export default async function ActivityPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>Activity</h1></div>
      <div className="card stack">
        <p>The fetch history of every mailbox and, with Enable Email Debug on, the redacted protocol transcripts will be listed here.</p>
      </div>
    </>
  );
}
