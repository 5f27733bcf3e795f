// Composing a message for the outbox: the From (with the Sender Name), Reply-To, threading headers and a
// Message-ID of our own, built once so a retry sends exactly the same bytes. Header values with CR or LF are
// refused: they could smuggle extra headers or recipients into the message.
import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { UserFacingError } from "@/lib/errors";
import { OWN_MESSAGE_ID_MARKER } from "@/lib/requests/client";
import type { ComposedMessage } from "./transport";

export type MessageParts = {
  fromAddress: string;
  senderName?: string;
  replyTo?: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** a reply: the Message-ID it answers and the thread's References */
  inReplyTo?: string;
  references?: string[];
};

const LINE_BREAK = /[\r\n]/;

function refuseLineBreaks(field: string, value: string | undefined): void {
  if (value !== undefined && LINE_BREAK.test(value)) {
    throw new UserFacingError(`The ${field} must not contain line breaks.`, { field });
  }
}

export function messageIdDomain(address: string): string {
  return address.split("@")[1]?.toLowerCase() || "mailbridge.invalid";
}

export async function composeMessage(parts: MessageParts): Promise<ComposedMessage> {
  refuseLineBreaks("senderName", parts.senderName);
  refuseLineBreaks("replyTo", parts.replyTo);
  refuseLineBreaks("subject", parts.subject);
  refuseLineBreaks("fromAddress", parts.fromAddress);
  refuseLineBreaks("inReplyTo", parts.inReplyTo);
  for (const value of [...parts.to, ...(parts.references ?? [])]) refuseLineBreaks("to", value);
  if (parts.to.length === 0) throw new UserFacingError("Name at least one recipient.", { field: "to" });
  // The marker lets the fetcher recognise our own mail coming back (a loop) and never make it a request.
  const messageId = `<${randomBytes(12).toString("hex")}${OWN_MESSAGE_ID_MARKER}${messageIdDomain(parts.fromAddress)}>`;
  const raw = await new MailComposer({
    from: parts.senderName ? { name: parts.senderName, address: parts.fromAddress } : parts.fromAddress,
    to: parts.to,
    replyTo: parts.replyTo || undefined,
    subject: parts.subject,
    text: parts.text,
    html: parts.html,
    messageId,
    inReplyTo: parts.inReplyTo,
    references: parts.references,
    date: new Date(),
  })
    .compile()
    .build();
  return { from: parts.fromAddress, to: parts.to, raw, messageId };
}
