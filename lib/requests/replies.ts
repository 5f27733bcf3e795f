import "server-only";
// Answering a request from the console: the reply goes through the outbox from the request's mailbox, to
// its sender, with the request tag in the subject and In-Reply-To/References of the thread, so the
// customer's answer threads back onto this request.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { enqueueMail } from "@/lib/mail/outgoing";
import type { ReplyInput } from "./reply-schema";
import { requestTag, taggedRequestNumber } from "./threading";

/** Header values come from stranger's mail: line breaks are folded away (compose refuses any that remain). */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, " ").trim();

export function replySubject(subject: string, number: number): string {
  const clean = oneLine(subject);
  const tagged = taggedRequestNumber(clean) === number ? clean : `${requestTag(number)} ${clean}`.trim();
  return /^re:/i.test(tagged) ? tagged : `Re: ${tagged}`;
}

export async function sendReply(input: ReplyInput, userId: string): Promise<{ outboxId: string }> {
  const request = await db().request.findUnique({
    where: { id: input.requestId },
    select: {
      id: true,
      number: true,
      subject: true,
      fromAddress: true,
      mailbox: { select: { emailAddresses: true, username: true } },
      ingested: { select: { messageId: true, fetchedAt: true } },
    },
  });
  if (!request) throw new UserFacingError("This request no longer exists.");
  if (!request.fromAddress) throw new UserFacingError("This request has no sender address to reply to.");
  const ours = await db().outboxMessage.findMany({
    where: { requestId: request.id, kind: "reply" },
    select: { messageId: true, createdAt: true },
  });
  const thread = [
    ...new Set(
      [...request.ingested.map((m) => ({ messageId: m.messageId, createdAt: m.fetchedAt })), ...ours]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .flatMap((m) => (m.messageId ? [m.messageId] : [])),
    ),
  ];
  const { id } = await enqueueMail({
    kind: "reply",
    idempotencyKey: `reply:${request.id}:${input.submissionId}`,
    fromAddress: mailboxAddress(request.mailbox),
    to: [request.fromAddress],
    subject: replySubject(request.subject, request.number),
    text: input.text,
    inReplyTo: thread.at(-1),
    references: thread.length > 0 ? thread.slice(-50) : undefined,
    requestId: request.id,
    userId,
  });
  return { outboxId: id };
}

function mailboxAddress(mailbox: { emailAddresses: string; username: string } | null): string | undefined {
  if (!mailbox) return undefined;
  const addresses = JSON.parse(mailbox.emailAddresses) as unknown;
  const first = Array.isArray(addresses)
    ? addresses.find((a): a is string => typeof a === "string" && a.includes("@"))
    : undefined;
  return first ?? (mailbox.username.includes("@") ? mailbox.username : undefined);
}

/** The replies written on a request's page, with their outbox state, for its thread. */
export async function listReplies(requestId: string) {
  return db().outboxMessage.findMany({
    where: { requestId, kind: "reply" },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      state: true,
      fromAddress: true,
      toAddresses: true,
      subject: true,
      bodyText: true,
      createdAt: true,
      sentAt: true,
      lastError: true,
      attempts: true,
      messageId: true,
    },
  });
}
