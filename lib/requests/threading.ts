// Which request a mail answers: the Message-IDs it refers to (In-Reply-To first, then References, newest
// first), or a request tag in the subject. A subject that merely starts with "Re:" matches nothing.
import type { KeyHeaders } from "./mail-headers";

const TAG = /\[#(\d{1,9})\]/;

export function requestTag(number: number): string {
  return `[#${number}]`;
}

export function taggedRequestNumber(subject: string): number | null {
  const match = TAG.exec(subject);
  return match ? Number(match[1]) : null;
}

/** The Message-IDs to look up, most telling first, bounded (References of hostile mail can be huge). */
export function referencedMessageIds(h: KeyHeaders): string[] {
  const ordered = [...h.inReplyTo, ...[...h.references].reverse()];
  return [...new Set(ordered)].filter((id) => id !== h.messageId).slice(0, 50);
}
