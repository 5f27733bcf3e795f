// One request with its thread, and one mail, as plain SQL: what the ORM's nested select gave, on both databases.
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

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

const withoutHtml = <T extends { bodyHtml: string | null }>({ bodyHtml, ...rest }: T) => ({
  ...rest,
  hasHtml: Boolean(bodyHtml),
});

describe.each(["sqlite", "postgresql"] as const)("request and mail detail on %s", (kind) => {
  it("match the ORM's nested rows: thread in order, attachments by position, hasHtml", async () => {
    await useTestDatabase(kind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    const { db } = await import("@/lib/db");
    const { getRequest, getMail } = await import("@/lib/requests");
    const mailbox = await db().incomingMailbox.create({ data: { name: "Support", protocol: "imaps" } });
    const request = await db().request.create({
      data: {
        number: 7,
        mailboxId: mailbox.id,
        subject: "Help",
        fromAddress: "a@example.org",
        lastMessageAt: new Date(),
      },
    });
    const mails = [];
    for (const [i, html] of [null, "<p>hi</p>", ""].entries()) {
      const mail = await db().ingestedMail.create({
        data: {
          mailboxId: mailbox.id,
          sourceKey: `k${i}`,
          rawSha256: `h${i}`,
          rawPath: `raw/${i}.eml`,
          rawSize: 100 + i,
          state: i === 0 ? "request_created" : "reply_added",
          subject: `m${i}`,
          sentAt: i === 1 ? null : new Date(Date.UTC(2026, 1, 1, i)),
          bodyText: i === 2 ? null : `text ${i}`,
          bodyHtml: html,
          imported: i === 1,
          requestId: request.id,
          // fetched out of order: the thread follows fetchedAt
          fetchedAt: new Date(Date.UTC(2026, 1, 1, 3 - i)),
        },
      });
      mails.push(mail);
    }
    for (const position of [2, 0, 1])
      await db().mailAttachment.create({
        data: {
          ingestId: mails[1].id,
          position,
          filename: `f${position}.txt`,
          contentType: "text/plain",
          size: position * 10,
          storagePath: `att/${position}`,
        },
      });

    const orm = await db().request.findUnique({
      where: { id: request.id },
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
        ingested: { orderBy: [{ fetchedAt: "asc" }, { id: "asc" }], select: messageSelect },
      },
    });
    const detail = await getRequest(request.id);
    const { ingested, ...fields } = orm!;
    expect(detail).toEqual({ ...fields, messages: ingested.map(withoutHtml) });
    expect(detail!.messages.map((m) => [m.subject, m.hasHtml])).toEqual([
      ["m2", false],
      ["m1", true],
      ["m0", false],
    ]);
    expect(detail!.messages[1].attachments.map((a) => a.filename)).toEqual(["f0.txt", "f1.txt", "f2.txt"]);
    expect(await getRequest("nope")).toBeNull();

    const ormMail = await db().ingestedMail.findUnique({
      where: { id: mails[1].id },
      select: { ...messageSelect, requestId: true },
    });
    expect(await getMail(mails[1].id)).toEqual(withoutHtml(ormMail!));
    expect(await getMail("nope")).toBeNull();
  });
});
