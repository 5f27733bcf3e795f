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

type MailRow = {
  id: string;
  subject: string;
  fromAddress: string;
  fromName: string;
  sentAt: Date | null;
  fetchedAt: Date;
  messageId: string | null;
  state: string;
  reason: string | null;
  extractState: string;
  bodyText: string | null;
  rawSize: number;
  imported: boolean;
  /** whether there is an HTML body; the body itself is served by its own sandboxed route */
  hasHtml: boolean;
  attachments: { id: string; filename: string; contentType: string; size: number }[];
  mailbox: { id: string; name: string };
};

// One mail as the request and mail pages show it, as plain SQL (lib/db/raw-read.ts): the thread's mails with
// their mailbox in one query, their attachments in a second.
const MAIL_COLUMNS = `i."id", i."subject", i."fromAddress", i."fromName", i."sentAt", i."fetchedAt", i."messageId",
  i."state", i."reason", i."extractState", i."bodyText", i."rawSize", i."imported",
  CASE WHEN i."bodyHtml" IS NULL OR i."bodyHtml" = '' THEN 0 ELSE 1 END AS "hasHtml",
  mb."id" AS "mailboxId", mb."name" AS "mailboxName"`;
const MAIL_KINDS = { sentAt: "date", fetchedAt: "date", rawSize: "int", imported: "bool", hasHtml: "bool" } as const;
/** A request's messages: its ledger rows, oldest first (a batch's rows share one fetchedAt; ids follow their order). */
export const THREAD_SQL = `SELECT ${MAIL_COLUMNS} FROM "IngestedMail" i JOIN "IncomingMailbox" mb ON mb."id" = i."mailboxId"
  WHERE i."requestId" = ? ORDER BY i."fetchedAt" ASC, i."id" ASC`;
type MailColumns = Omit<MailRow, "attachments" | "mailbox"> & { mailboxId: string; mailboxName: string };

async function withAttachments<T extends MailColumns>(
  mails: T[],
): Promise<(Omit<T, "mailboxId" | "mailboxName"> & Pick<MailRow, "attachments" | "mailbox">)[]> {
  const ids = mails.map((m) => m.id);
  const attachments = ids.length
    ? await readRows<MailRow["attachments"][number] & { ingestId: string }>(
        `SELECT "ingestId", "id", "filename", "contentType", "size" FROM "MailAttachment"
         WHERE "ingestId" IN (${ids.map(() => "?").join(", ")}) ORDER BY "position" ASC`,
        ids,
        { size: "int" },
      )
    : [];
  return mails.map(({ mailboxId, mailboxName, ...mail }) => ({
    ...mail,
    attachments: attachments.filter((a) => a.ingestId === mail.id).map(({ ingestId: _of, ...a }) => a),
    mailbox: { id: mailboxId, name: mailboxName },
  }));
}

export async function getRequest(id: string) {
  const [requests, mails] = await Promise.all([
    readRows<{
      id: string;
      number: number;
      subject: string;
      fromAddress: string;
      fromName: string;
      status: string;
      createdAt: Date;
      lastMessageAt: Date;
      mailboxName: string | null;
    }>(
      `SELECT r."id", r."number", r."subject", r."fromAddress", r."fromName", r."status", r."createdAt",
         r."lastMessageAt", m."name" AS "mailboxName"
       FROM "Request" r LEFT JOIN "IncomingMailbox" m ON m."id" = r."mailboxId" WHERE r."id" = ?`,
      [id],
      { number: "int", createdAt: "date", lastMessageAt: "date" },
    ),
    readRows<MailColumns>(THREAD_SQL, [id], MAIL_KINDS),
  ]);
  if (!requests[0]) return null;
  return { ...withMailbox(requests[0]), messages: await withAttachments(mails) };
}

export async function getMail(id: string) {
  const mails = await readRows<MailColumns & { requestId: string | null }>(
    `SELECT ${MAIL_COLUMNS}, i."requestId" FROM "IngestedMail" i JOIN "IncomingMailbox" mb ON mb."id" = i."mailboxId"
     WHERE i."id" = ?`,
    [id],
    MAIL_KINDS,
  );
  return mails[0] ? (await withAttachments(mails))[0] : null;
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
