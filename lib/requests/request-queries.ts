import "server-only";
// What the Requests pages read: a filtered, paginated list (ordered by the indexed lastMessageAt), one request
// with its thread, mail that did not become a request, and the stored files behind a download.
import { z } from "zod";
import { countRows, db } from "@/lib/db";

export const REQUEST_STATUSES = ["open", "closed"] as const;
export const MAIL_STATES = [
  "request_created",
  "reply_added",
  "not_a_request",
  "auto_reply",
  "duplicate",
  "flagged",
] as const;
export const PAGE_SIZE = 50;

export const requestListQuerySchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  mailbox: z.string().max(100).optional().catch(undefined),
  status: z.enum(REQUEST_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});
export type RequestListQuery = z.infer<typeof requestListQuerySchema>;

export async function listRequests(query: RequestListQuery) {
  const where = {
    ...(query.mailbox ? { mailboxId: query.mailbox } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.q
      ? {
          OR: [
            { subject: { contains: query.q } },
            { fromAddress: { contains: query.q } },
            { fromName: { contains: query.q } },
          ],
        }
      : {}),
  };
  const [rows, total] = await Promise.all([
    db().request.findMany({
      where,
      orderBy: [{ lastMessageAt: "desc" }, { number: "desc" }],
      skip: (query.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: {
        id: true,
        number: true,
        subject: true,
        fromAddress: true,
        fromName: true,
        status: true,
        messageCount: true,
        lastMessageAt: true,
        mailbox: { select: { name: true } },
      },
    }),
    // A search scans the rows anyway; without one, the count is answered from an index (count-rows.ts).
    query.q
      ? db().request.count({ where })
      : countRows(db(), "Request", { mailboxId: query.mailbox || undefined, status: query.status }),
  ]);
  return { rows, total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** Fetched mail that is not part of a request (automatic, disabled creation, duplicate, flagged), newest first. */
export async function listOtherMail(opts: { mailbox?: string; page?: number } = {}) {
  const where = { requestId: null, ...(opts.mailbox ? { mailboxId: opts.mailbox } : {}) };
  const page = opts.page ?? 1;
  const [rows, total] = await Promise.all([
    db().ingestedMail.findMany({
      where,
      orderBy: { fetchedAt: "desc" },
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: {
        id: true,
        subject: true,
        fromAddress: true,
        fromName: true,
        state: true,
        reason: true,
        fetchedAt: true,
        mailbox: { select: { name: true } },
      },
    }),
    countRows(db(), "IngestedMail", { requestId: null, mailboxId: opts.mailbox || undefined }),
  ]);
  return { rows, total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

const messageSelect = {
  id: true,
  subject: true,
  fromAddress: true,
  fromName: true,
  sentAt: true,
  fetchedAt: true,
  messageId: true,
  state: true,
  reason: true,
  extractState: true,
  bodyText: true,
  rawSize: true,
  imported: true,
  bodyHtml: true,
  attachments: {
    orderBy: { position: "asc" as const },
    select: { id: true, filename: true, contentType: true, size: true },
  },
  mailbox: { select: { id: true, name: true } },
};

export async function getRequest(id: string) {
  const request = await db().request.findUnique({
    where: { id },
    select: {
      id: true,
      number: true,
      subject: true,
      fromAddress: true,
      fromName: true,
      status: true,
      createdAt: true,
      lastMessageAt: true,
      mailbox: { select: { name: true } },
      messages: { orderBy: { createdAt: "asc" }, select: { ingest: { select: messageSelect } } },
    },
  });
  if (!request) return null;
  return { ...request, messages: request.messages.map((m) => withoutHtml(m.ingest)) };
}

export async function getMail(id: string) {
  const mail = await db().ingestedMail.findUnique({ where: { id }, select: { ...messageSelect, requestId: true } });
  return mail ? withoutHtml(mail) : null;
}

/** The page gets whether there is an HTML body; the body itself is served by its own sandboxed route. */
function withoutHtml<T extends { bodyHtml: string | null }>(mail: T): Omit<T, "bodyHtml"> & { hasHtml: boolean } {
  const { bodyHtml, ...rest } = mail;
  return { ...rest, hasHtml: Boolean(bodyHtml) };
}

export async function getMailHtml(id: string): Promise<string | null> {
  return (await db().ingestedMail.findUnique({ where: { id }, select: { bodyHtml: true } }))?.bodyHtml ?? null;
}

export async function getAttachment(id: string) {
  return db().mailAttachment.findUnique({ where: { id }, select: { filename: true, size: true, storagePath: true } });
}

export async function getRawMail(id: string) {
  return db().ingestedMail.findUnique({ where: { id }, select: { rawPath: true, rawSize: true, subject: true } });
}
