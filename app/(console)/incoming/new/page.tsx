import { listApplicationChoices, redirectUri } from "@/lib/oauth";
import { requirePageUser } from "@/lib/auth";
import { MailboxForm } from "../mailbox-form";

export default async function NewMailboxPage() {
  const me = await requirePageUser();
  const applications = me.role === "admin" ? await listApplicationChoices() : [];
  return (
    <>
      <div className="page-header"><h1>Add an incoming mailbox</h1></div>
      <MailboxForm mailbox={null} oauth={null} applications={applications} readOnly={me.role !== "admin"} redirectUrl={redirectUri()} />
    </>
  );
}
