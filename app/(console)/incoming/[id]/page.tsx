import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { mailboxHealth } from "@/lib/fetcher";
import { getMailboxForEdit } from "@/lib/mail/incoming";
import { getConnectionForEdit, listApplicationChoices, redirectUri } from "@/lib/oauth";
import { MailboxForm } from "../mailbox-form";
import { FetchHealth } from "./fetch-health";

export default async function EditMailboxPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  const { id } = await params;
  const mailbox = await getMailboxForEdit(id);
  if (!mailbox) notFound();
  const oauth = mailbox.connectionId ? await getConnectionForEdit(mailbox.connectionId) : null;
  const health = await mailboxHealth(id);
  const applications = me.role === "admin" && !oauth ? await listApplicationChoices() : [];
  return (
    <>
      <div className="page-header">
        <Link className="btn btn-secondary" href={`/activity?mailbox=${mailbox.id}`}>
          Fetch history
        </Link>
      </div>
      {health && (
        <FetchHealth id={mailbox.id} protocol={mailbox.protocol} health={health} admin={me.role === "admin"} />
      )}
      <MailboxForm
        mailbox={mailbox}
        oauth={oauth}
        applications={applications}
        readOnly={me.role !== "admin"}
        redirectUrl={redirectUri()}
      />
    </>
  );
}
