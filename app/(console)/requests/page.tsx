import Link from "next/link";
import { requirePageUser } from "@/lib/auth";
import { listMailboxNames } from "@/lib/mail/incoming";
import { listOtherMail, listRequests, requestListQuerySchema, REQUEST_STATUSES } from "@/lib/requests";
import { MAIL_STATE_LABEL, when } from "@/app/_components/requests/labels";
import { OtherMailTable, type OtherMailRow } from "./other-mail-table";
import { RequestTable, type RequestTableRow } from "./request-table";

type Search = Record<string, string | string[] | undefined>;

function pageLink(search: Search, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search))
    if (typeof value === "string" && value && key !== "page") params.set(key, value);
  params.set("page", String(page));
  return `/requests?${params}`;
}

function Pager({ search, page, pages, total }: { search: Search; page: number; pages: number; total: number }) {
  return (
    <div className="actions">
      <span className="muted">
        {total} in all · page {page} of {pages}
      </span>
      {page > 1 && (
        <Link className="btn" href={pageLink(search, page - 1)}>
          Previous
        </Link>
      )}
      {page < pages && (
        <Link className="btn" href={pageLink(search, page + 1)}>
          Next
        </Link>
      )}
    </div>
  );
}

export default async function RequestsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageUser();
  const search = await searchParams;
  const query = requestListQuerySchema.parse(search);
  const showOther = search.view === "other";
  const mailboxes = await listMailboxNames();
  return (
    <>
      <div className="page-header">
        <h1>Requests</h1>
        <div className="actions">
          <Link className={`btn ${showOther ? "" : "btn-primary"}`} href="/requests">
            Requests
          </Link>
          <Link className={`btn ${showOther ? "btn-primary" : ""}`} href="/requests?view=other">
            Mail not turned into a request
          </Link>
        </div>
      </div>
      <form className="card actions" method="get" role="search">
        {showOther && <input type="hidden" name="view" value="other" />}
        {!showOther && (
          <input
            name="q"
            defaultValue={query.q ?? ""}
            placeholder="Subject or sender"
            aria-label="Search by subject or sender"
          />
        )}
        <select name="mailbox" defaultValue={query.mailbox ?? ""} aria-label="Mailbox">
          <option value="">All mailboxes</option>
          {mailboxes.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        {!showOther && (
          <select name="status" defaultValue={query.status ?? ""} aria-label="Status">
            <option value="">Any status</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
        <button className="btn" type="submit">
          Filter
        </button>
      </form>
      {showOther ? (
        <OtherMail search={search} mailbox={query.mailbox} page={query.page} />
      ) : (
        <RequestList search={search} query={query} />
      )}
    </>
  );
}

async function RequestList({ search, query }: { search: Search; query: Parameters<typeof listRequests>[0] }) {
  const { rows, total, pages } = await listRequests(query);
  if (total === 0)
    return (
      <div className="card">
        <p>
          No request
          {query.q || query.mailbox || query.status
            ? " matches this filter"
            : " yet: new mail of the incoming mailboxes turns into requests here"}
          .
        </p>
      </div>
    );
  return (
    <>
      <RequestTable
        rows={rows.map((r): RequestTableRow => ({
          id: r.id,
          number: r.number,
          subject: r.subject || "(no subject)",
          from: r.fromName ? `${r.fromName} <${r.fromAddress}>` : r.fromAddress,
          mailbox: r.mailbox?.name ?? "—",
          status: r.status,
          messageCount: r.messageCount,
          lastMail: when(r.lastMessageAt),
        }))}
      />
      <Pager search={search} page={query.page} pages={pages} total={total} />
    </>
  );
}

async function OtherMail({ search, mailbox, page }: { search: Search; mailbox?: string; page: number }) {
  const { rows, total, pages } = await listOtherMail({ mailbox, page });
  if (total === 0)
    return (
      <div className="card">
        <p>Every fetched mail became a request or a reply.</p>
      </div>
    );
  return (
    <>
      <OtherMailTable
        rows={rows.map((m): OtherMailRow => ({
          id: m.id,
          subject: m.subject || "(no subject)",
          from: m.fromAddress || "—",
          mailbox: m.mailbox.name,
          badge: MAIL_STATE_LABEL[m.state]?.badge ?? "",
          label: MAIL_STATE_LABEL[m.state]?.text ?? m.state,
          reason: m.reason,
          fetched: when(m.fetchedAt),
        }))}
      />
      <Pager search={search} page={page} pages={pages} total={total} />
    </>
  );
}
