import "server-only";
// What the Requests pages read: a filtered, paginated list (ordered by the indexed lastMessageAt), one request
// with its thread, mail that did not become a request, and the stored files behind a download.
import { z } from "zod";
import { countRows, db, readRows, type ReadParam } from "@/lib/db";

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

type RequestRow = {
  id: string;
  number: number;
  subject: string;
  fromAddress: string;
  fromName: string;
  status: string;
  messageCount: number;
  lastMessageAt: Date;
  mailbox: { name: string } | null;
};

/** `mailboxName` of a joined row as the ORM's `mailbox: { name }` (null: no mailbox). */
function withMailbox<T extends { mailboxName: string | null }>({ mailboxName, ...row }: T) {
  return { ...row, mailbox: mailboxName === null ? null : { name: mailboxName } };
}

// The page without a search, as plain SQL on the indexed order (lib/db/raw-read.ts): the list every visit shows.
async function requestPage(query: RequestListQuery): Promise<RequestRow[]> {
  const conditions: string[] = [];
  const params: ReadParam[] = [];
  if (query.mailbox) {
    conditions.push(`r."mailboxId" = ?`);
    params.push(query.mailbox);
  }
  if (query.status) {
    conditions.push(`r."status" = ?`);
    params.push(query.status);
  }
  params.push(PAGE_SIZE, (query.page - 1) * PAGE_SIZE);
  const rows = await readRows<Omit<RequestRow, "mailbox"> & { mailboxName: string | null }>(
    `SELECT r."id", r."number", r."subject", r."fromAddress", r."fromName", r."status", r."messageCount",
       r."lastMessageAt", m."name" AS "mailboxName"
     FROM "Request" r LEFT JOIN "IncomingMailbox" m ON m."id" = r."mailboxId"
     ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""}
     ORDER BY r."lastMessageAt" DESC, r."number" DESC LIMIT ? OFFSET ?`,
    params,
    { number: "int", messageCount: "int", lastMessageAt: "date" },
  );
  return rows.map(withMailbox);
}

export async function listRequests(query: RequestListQuery) {
  if (!query.q) {
    const [rows, total] = await Promise.all([
      requestPage(query),
      // answered from an index (count-rows.ts)
      countRows("Request", { mailboxId: query.mailbox || undefined, status: query.status }),
    ]);
    return { rows, total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
  }
  // A search scans the rows anyway; the ORM's `contains` keeps its meaning on both databases.
  const where = {
    ...(query.mailbox ? { mailboxId: query.mailbox } : {}),
    ...(query.status ? { status: query.status } : {}),
    OR: [
      { subject: { contains: query.q } },
      { fromAddress: { contains: query.q } },
      { fromName: { contains: query.q } },
    ],
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
    db().request.count({ where }),
  ]);
  return { rows: rows as RequestRow[], total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** Fetched mail that is not part of a request (automatic, disabled creation, duplicate, flagged), newest first. */
export async function listOtherMail(opts: { mailbox?: string; page?: number } = {}) {
  const page = opts.page ?? 1;
  const params: ReadParam[] = [...(opts.mailbox ? [opts.mailbox] : []), PAGE_SIZE, (page - 1) * PAGE_SIZE];
  const [rows, total] = await Promise.all([
    readRows<{
      id: string;
      subject: string;
      fromAddress: string;
      fromName: string;
      state: string;
      reason: string | null;
      fetchedAt: Date;
      mailboxName: string;
    }>(
      `SELECT i."id", i."subject", i."fromAddress", i."fromName", i."state", i."reason", i."fetchedAt",
         m."name" AS "mailboxName"
       FROM "IngestedMail" i JOIN "IncomingMailbox" m ON m."id" = i."mailboxId"
       WHERE i."requestId" IS NULL${opts.mailbox ? ` AND i."mailboxId" = ?` : ""}
       ORDER BY i."fetchedAt" DESC LIMIT ? OFFSET ?`,
      params,
      { fetchedAt: "date" },
    ),
    countRows("IngestedMail", { requestId: null, mailboxId: opts.mailbox || undefined }),
  ]);
  return {
    rows: rows.map(({ mailboxName, ...row }) => ({ ...row, mailbox: { name: mailboxName } })),
    total,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
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
