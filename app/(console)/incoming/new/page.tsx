import { redirectUri } from "@/lib/oauth";
import { requirePageUser } from "@/lib/auth";
import { MailboxForm } from "../mailbox-form";

export default async function NewMailboxPage() {
  const me = await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>Add an incoming mailbox</h1></div>
      <MailboxForm mailbox={null} oauth={null} readOnly={me.role !== "admin"} redirectUrl={redirectUri()} />
    </>
  );
}
