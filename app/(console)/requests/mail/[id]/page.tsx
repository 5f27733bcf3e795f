import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getMail } from "@/lib/requests";
import { MailMessage } from "@/app/_components/requests/mail-message";

export default async function MailPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const { id } = await params;
  const mail = await getMail(id);
  if (!mail) notFound();
  return (
    <>
      <div className="page-header">
        <h1>{mail.subject || "(no subject)"}</h1>
        <Link
          className="btn btn-secondary"
          href={mail.requestId ? `/requests/${mail.requestId}` : "/requests?view=other"}
        >
          {mail.requestId ? "Its request" : "Back"}
        </Link>
      </div>
      <MailMessage mail={mail} />
    </>
  );
}
