import Link from "next/link";
import { requirePageUser } from "@/lib/auth";
import { listMailboxNames, listRuns } from "@/lib/mail/incoming";
import { formatDateTime } from "@/lib/format";
import { RunsTable, type RunRow } from "./runs-table";

const KIND_LABEL: Record<string, string> = {
  sample: "Sample fetch",
  fetch: "Scheduled fetch",
  connect_check: "Connection check",
  send_check: "Outgoing connection check",
  test_send: "Test mail",
  send: "Send",
};
const OUTGOING_KINDS = new Set(["send_check", "test_send", "send"]);

/** Rows per page: each costs render time on every load, and older runs are one click away. */
const PAGE_SIZE = 50;

function startedBefore(value: string | undefined): Date | undefined {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

export default async function ActivityPage({
  searchParams,
}: {
  searchParams: Promise<{ mailbox?: string; before?: string }>;
}) {
  await requirePageUser();
  const { mailbox, before } = await searchParams;
  const [page, mailboxes] = await Promise.all([
    listRuns({ mailboxId: mailbox, take: PAGE_SIZE + 1, before: startedBefore(before) }),
    listMailboxNames(),
  ]);
  const runs = page.slice(0, PAGE_SIZE);
  const older =
    page.length > PAGE_SIZE
      ? `/activity?${new URLSearchParams({ ...(mailbox ? { mailbox } : {}), before: runs[runs.length - 1].startedAt.toISOString() })}`
      : null;
  const current = mailboxes.find((m) => m.id === mailbox);
  return (
    <>
      <div className="page-header">
        <h1>Activity{current ? `: ${current.name}` : ""}</h1>
      </div>
      <nav className="actions" aria-label="Mailboxes">
        <Link className={`btn ${mailbox ? "btn-secondary" : "btn-primary"}`} href="/activity">
          All mailboxes
        </Link>
        {/* plain links: one client component per mailbox cost render time on every visit */}
        {mailboxes.map((m) => (
          <a
            key={m.id}
            className={`btn ${m.id === mailbox ? "btn-primary" : "btn-secondary"}`}
            href={`/activity?mailbox=${m.id}`}
          >
            {m.name}
          </a>
        ))}
      </nav>
      {runs.length === 0 ? (
        <div className="card">
          <p>No fetches recorded yet.</p>
        </div>
      ) : (
        <RunsTable
          rows={runs.map((run): RunRow => ({
            id: run.id,
            time: formatDateTime(run.startedAt, { seconds: true }),
            mailbox: run.mailbox?.name ?? (OUTGOING_KINDS.has(run.kind) ? "Outgoing mail" : "(unsaved settings)"),
            kind: KIND_LABEL[run.kind] ?? run.kind,
            ok: run.ok,
            mailsFetched: run.mailsFetched,
            error: run.error,
            hint: run.hint ? (JSON.parse(run.hint) as RunRow["hint"]) : null,
            hasTranscript: run.transcriptBytes > 0,
          }))}
        />
      )}
      {(older || before) && (
        <nav className="actions" aria-label="Pages">
          {before && (
            <Link className="btn btn-secondary" href={mailbox ? `/activity?mailbox=${mailbox}` : "/activity"}>
              Newest
            </Link>
          )}
          {older && (
            <Link className="btn btn-secondary" href={older}>
              Older
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
