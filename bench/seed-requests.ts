// The bench's helpdesk data: `count` requests over the seeded mailboxes, each with the fetched mail that opened
// it, plus one fetched mail in twenty that became no request (the "Mail not turned into a request" view).
import { randomUUID } from "node:crypto";
import type { db } from "@/lib/db";

const BATCH = 2000;

export type SeededRequests = { requestId: string; otherMailId: string | null };

export async function seedRequests(
  database: ReturnType<typeof db>,
  mailboxIds: string[],
  count: number,
): Promise<SeededRequests> {
  const start = Date.now() - count * 60_000;
  let requestId = "";
  let otherMailId: string | null = null;
  for (let done = 0; done < count; done += BATCH) {
    const requests = [];
    const mails = [];
    for (let n = done; n < Math.min(done + BATCH, count); n++) {
      const at = new Date(start + n * 60_000);
      const mailboxId = mailboxIds[n % mailboxIds.length];
      const id = randomUUID();
      const ingestId = randomUUID();
      const subject = `Question ${n + 1} about the printer`;
      const fromAddress = `user${n % 1000}@example.org`;
      requests.push({
        id,
        number: n + 1,
        mailboxId,
        subject,
        fromAddress,
        fromName: `User ${n % 1000}`,
        status: n % 10 === 0 ? "closed" : "open",
        lastMessageAt: at,
        createdAt: at,
      });
      mails.push(mailOf(ingestId, mailboxId, `r${n}`, subject, fromAddress, at, "request_created", id));
      if (n % 20 === 0) {
        const otherId = randomUUID();
        mails.push(mailOf(otherId, mailboxId, `o${n}`, "Out of office", fromAddress, at, "auto_reply", null));
        otherMailId = otherId;
      }
      requestId = id;
    }
    await database.request.createMany({ data: requests });
    await database.ingestedMail.createMany({ data: mails });
  }
  return { requestId, otherMailId };
}

function mailOf(
  id: string,
  mailboxId: string,
  key: string,
  subject: string,
  fromAddress: string,
  at: Date,
  state: string,
  requestId: string | null,
) {
  return {
    id,
    mailboxId,
    sourceKey: key,
    dedupeKey: key,
    messageId: `<${key}@example.org>`,
    rawSha256: "0".repeat(64),
    rawPath: `raw/${key}.eml`,
    rawSize: 1200,
    subject,
    fromAddress,
    sentAt: at,
    fetchedAt: at,
    state,
    reason: requestId ? null : "Automatic reply (Auto-Submitted: auto-replied)",
    extractState: "done",
    bodyText: `Hello,\n\nthe printer on floor ${key.length} is out of toner again.\n\nRegards`,
    requestId,
  };
}
