import Link from "next/link";
import { requirePageUser } from "@/lib/auth";
import { formatDateTime as when } from "@/lib/format";
import { listMailboxes, MAILBOX_STATUS_BADGES, MAILBOX_STATUS_LABELS, mailboxStatus } from "@/lib/mail/incoming";
import { PROTOCOL_LABELS } from "@/lib/mail/incoming/client";
import type { IncomingProtocol } from "@/lib/mail/incoming";
import { MailboxTable, type MailboxTableRow } from "./mailbox-table";

export default async function IncomingPage() {
  const me = await requirePageUser();
  const mailboxes = await listMailboxes();
  return (
    <>
      <div className="page-header">
        <h1>Incoming mail</h1>
        {me.role === "admin" && (
          <Link className="btn btn-primary" href="/incoming/new">
            Add a mailbox
          </Link>
        )}
      </div>
      {mailboxes.length === 0 ? (
        <div className="card">
          <p>No mailbox yet.{me.role === "admin" ? " Add one to start fetching mail." : ""}</p>
        </div>
      ) : (
        <MailboxTable
          rows={mailboxes.map((m): MailboxTableRow => {
            const status = mailboxStatus(m);
            const hint = m.lastErrorHint ? (JSON.parse(m.lastErrorHint) as { title?: string }) : null;
            return {
              id: m.id,
              name: m.name,
              protocol: PROTOCOL_LABELS[m.protocol as IncomingProtocol] ?? m.protocol,
              server: m.connectUrl || `${m.host}:${m.port}`,
              badge: MAILBOX_STATUS_BADGES[status],
              status: MAILBOX_STATUS_LABELS[status],
              lastFetch: when(m.lastFetchAt),
              nextFetch: when(m.nextFetchAt),
              mailsFetched: m.mailsFetched,
              tokenExpiry: m.authType === "oauth" ? when(m.connection?.accessTokenExpiresAt ?? null) : "password",
              lastError: m.lastError,
              hintTitle: hint?.title || null,
            };
          })}
        />
      )}
    </>
  );
}
