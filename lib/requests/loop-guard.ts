// Auto-replies, bounces and our own mail coming back: stored and visible, never a request, never acknowledged
// (answering them is how mail loops and "thank you for your mail" storms start).
import type { KeyHeaders } from "./mail-headers";

/** Our own Message-IDs end their local part with this marker, so a copy of our mail coming back is recognised. */
export const OWN_MESSAGE_ID_MARKER = ".mailbridge@";

export function isOwnMessageId(id: string | null): boolean {
  return id !== null && id.toLowerCase().includes(OWN_MESSAGE_ID_MARKER);
}

const SYSTEM_SENDERS = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

/** Why the mail is automatic, or null for a mail a person wrote. */
export function automaticMailReason(h: KeyHeaders): string | null {
  if (h.autoSubmitted && h.autoSubmitted.trim().toLowerCase() !== "no")
    return `Auto-Submitted: ${h.autoSubmitted.trim()}`;
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence === "bulk" || precedence === "junk" || precedence === "list") return `Precedence: ${precedence}`;
  if (h.autoResponseSuppress) return `X-Auto-Response-Suppress: ${h.autoResponseSuppress.trim()}`;
  if (isOwnMessageId(h.messageId)) return "our own Message-ID came back";
  if (SYSTEM_SENDERS.test(h.fromAddress)) return `sent by ${h.fromAddress}`;
  if (!h.fromAddress) return "no sender address";
  if (/^multipart\/report\b/.test(h.contentType)) return "a delivery or read report (multipart/report)";
  return null;
}
