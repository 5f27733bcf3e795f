import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { outgoingBannerStatus } from "@/lib/mail/outgoing";
import { getRequest, listReplies, replySubject, requestTag } from "@/lib/requests";
import { MailMessage } from "@/app/_components/requests/mail-message";
import { SentReply } from "@/app/_components/requests/sent-reply";
import { when } from "@/app/_components/requests/labels";
import { ReplyForm } from "./reply-form";

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  const { id } = await params;
  const request = await getRequest(id);
  if (!request) notFound();
  const replies = await listReplies(request.id);
  const thread = [
    ...request.messages.map((m) => ({ at: m.fetchedAt, node: <MailMessage key={m.id} mail={m} /> })),
    ...replies.map((r) => ({ at: r.createdAt, node: <SentReply key={r.id} reply={r} /> })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  // the layout's banner read the same answer for this request already (shared for 2 s, banner-status.ts)
  const outgoingConfigured = me.role === "admin" && Boolean(await outgoingBannerStatus());
  return (
    <>
      <div className="page-header">
        <h1>
          {requestTag(request.number)} {request.subject || "(no subject)"}
        </h1>
        <Link className="btn btn-secondary" href="/requests">
          All requests
        </Link>
      </div>
      <p className="muted">
        From {request.fromName ? `${request.fromName} <${request.fromAddress}>` : request.fromAddress} ·{" "}
        {request.status} · opened {when(request.createdAt)} · mailbox {request.mailbox?.name ?? "—"}
      </p>
      {thread.map((item) => item.node)}
      {me.role === "admin" &&
        (outgoingConfigured ? (
          <ReplyForm
            requestId={request.id}
            to={request.fromAddress}
            subject={replySubject(request.subject, request.number)}
          />
        ) : (
          <div className="alert alert-info" role="note">
            Replies are sent through the outgoing mail server, which is not configured yet.{" "}
            <Link href="/outgoing">Configure outgoing mail</Link> to answer this request.
          </div>
        ))}
    </>
  );
}
