import { listApplicationChoices, redirectUri } from "@/lib/oauth";
import { requirePageUser } from "@/lib/auth";
import { MailboxForm } from "../mailbox-form";

export default async function NewMailboxPage() {
  const me = await requirePageUser();
  const applications = me.role === "admin" ? await listApplicationChoices() : [];
  return (
    <>
      <MailboxForm
        mailbox={null}
        oauth={null}
        applications={applications}
        readOnly={me.role !== "admin"}
        redirectUrl={redirectUri()}
      />
    </>
  );
}
