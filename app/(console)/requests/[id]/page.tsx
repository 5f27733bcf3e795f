import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getRequest, requestTag } from "@/lib/requests";
import { MailMessage } from "@/app/_components/requests/mail-message";
import { when } from "@/app/_components/requests/labels";

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const { id } = await params;
  const request = await getRequest(id);
  if (!request) notFound();
  return (
    <>
      <div className="page-header">
        <h1>{requestTag(request.number)} {request.subject || "(no subject)"}</h1>
        <Link className="btn btn-secondary" href="/requests">All requests</Link>
      </div>
      <p className="muted">
        From {request.fromName ? `${request.fromName} <${request.fromAddress}>` : request.fromAddress} · {request.status} · opened {when(request.createdAt)} · mailbox {request.mailbox?.name ?? "—"}
      </p>
      {request.messages.map((m) => <MailMessage key={m.id} mail={m} />)}
    </>
  );
}
