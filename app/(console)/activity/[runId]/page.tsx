import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getRunTranscript } from "@/lib/mail/incoming";
import { formatDateTime } from "@/lib/format";

export default async function TranscriptPage({ params }: { params: Promise<{ runId: string }> }) {
  await requirePageUser();
  const { runId } = await params;
  const run = await getRunTranscript(runId);
  if (!run) notFound();
  return (
    <>
      <div className="page-header">
        <h1>Debug log {run.mailboxName ? `of ${run.mailboxName}` : ""}</h1>
        {run.transcript && (
          <a className="btn btn-secondary" href={`/api/activity/${run.id}/transcript`}>
            Download
          </a>
        )}
      </div>
      <p className="muted">
        {formatDateTime(run.startedAt, { seconds: true })} — every token and password is removed before the log is
        stored.
      </p>
      {run.transcript ? (
        <pre className="transcript">{run.transcript}</pre>
      ) : (
        <p>No transcript was kept for this run (Enable Email Debug was off, or it was pruned).</p>
      )}
      <p>
        <Link href="/activity">Back to the activity list</Link>
      </p>
    </>
  );
}
