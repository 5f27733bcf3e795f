import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getMailboxForEdit } from "@/lib/mail/incoming";
import { getConnectionForEdit, listApplicationChoices, redirectUri } from "@/lib/oauth";
import { MailboxForm } from "../mailbox-form";

export default async function EditMailboxPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  const { id } = await params;
  const mailbox = await getMailboxForEdit(id);
  if (!mailbox) notFound();
  const oauth = mailbox.connectionId ? await getConnectionForEdit(mailbox.connectionId) : null;
  const applications = me.role === "admin" && !oauth ? await listApplicationChoices() : [];
  return (
    <>
      <MailboxForm mailbox={mailbox} oauth={oauth} applications={applications} readOnly={me.role !== "admin"} redirectUrl={redirectUri()} />
    </>
  );
}
