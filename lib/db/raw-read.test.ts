// The plain-SQL reads of the busiest pages give what the ORM gives for the same rows, on both databases:
// dates as Dates, booleans as booleans, counts as numbers, relations as { name } or null, the same order.
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

describe.each(["sqlite", "postgresql"] as const)("raw reads on %s", (kind) => {
  it("match the ORM's rows for requests, other mail, runs and mailboxes", async () => {
    await useTestDatabase(kind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    const { db, readRows } = await import("@/lib/db");
    const requests = await import("@/lib/requests");
    const incoming = await import("@/lib/mail/incoming");
    const app = await db().oAuthApplication.create({
      data: { name: "App", preset: "google", clientId: "c" },
    });
    const conn = await db().oAuthConnection.create({
      data: {
        applicationId: app.id,
        grantType: "authorization_code",
        status: "refresh_failing",
        accessTokenExpiresAt: new Date(Date.UTC(2027, 0, 2)),
      },
    });
    const b = await db().incomingMailbox.create({ data: { name: "B", protocol: "imaps", port: 993, mailsFetched: 4 } });
    const a = await db().incomingMailbox.create({
      data: { name: "A", protocol: "graph", connectionId: conn.id, lastFetchAt: new Date(Date.UTC(2026, 5, 1)) },
    });
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute, 0, 123));
    for (const n of [1, 2, 3, 4, 5])
      await db().request.create({
        data: {
          number: n,
          mailboxId: n === 5 ? null : n % 2 ? a.id : b.id,
          subject: `S${n}`,
          fromAddress: `x${n}@example.org`,
          status: n === 4 ? "closed" : "open",
          lastMessageAt: at(n === 3 ? 2 : n), // a tie: 3 and 2, ordered by number
        },
      });
    for (const [i, key] of ["k1", "k2", "k3"].entries())
      await db().ingestedMail.create({
        data: {
          mailboxId: i === 2 ? b.id : a.id,
          sourceKey: key,
          rawSha256: key,
          rawPath: `raw/${key}.eml`,
          rawSize: 1,
          state: "not_a_request",
          reason: i === 0 ? null : "automatic",
          subject: key,
          fetchedAt: at(i),
        },
      });
    for (const [i, mailboxId] of [a.id, null, b.id].entries())
      await db().fetchRun.create({
        data: {
          mailboxId,
          kind: "fetch",
          userId: "u",
          startedAt: at(10 + i),
          ok: i !== 1,
          mailsFetched: i,
          hint: null,
        },
      });

    const ormRequests = (where: object) =>
      db().request.findMany({
        where,
        orderBy: [{ lastMessageAt: "desc" }, { number: "desc" }],
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
      });
    expect((await requests.listRequests({ page: 1 })).rows).toEqual(await ormRequests({}));
    expect((await requests.listRequests({ page: 1, mailbox: b.id, status: "closed" })).rows).toEqual(
      await ormRequests({ mailboxId: b.id, status: "closed" }),
    );
    expect((await requests.listRequests({ page: 1 })).rows.map((r) => r.number)).toEqual([5, 4, 3, 2, 1]);

    const other = await requests.listOtherMail({});
    expect(other.total).toBe(3);
    expect(other.rows).toEqual(
      await db().ingestedMail.findMany({
        where: { requestId: null },
        orderBy: { fetchedAt: "desc" },
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
    );
    expect((await requests.listOtherMail({ mailbox: b.id })).rows.map((m) => m.subject)).toEqual(["k3"]);

    const ormRuns = await db().fetchRun.findMany({
      orderBy: { startedAt: "desc" },
      select: {
        id: true,
        mailboxId: true,
        kind: true,
        startedAt: true,
        finishedAt: true,
        ok: true,
        error: true,
        hint: true,
        mailsFetched: true,
        transcriptBytes: true,
        mailbox: { select: { name: true } },
      },
    });
    expect(await incoming.listRuns({})).toEqual(ormRuns);
    expect(await incoming.listRuns({ before: at(12), take: 1 })).toEqual(ormRuns.slice(1, 2));
    expect((await incoming.listRuns({ mailboxId: a.id })).map((r) => r.mailboxId)).toEqual([a.id]);

    const ormMailboxes = await db().incomingMailbox.findMany({
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        protocol: true,
        host: true,
        port: true,
        connectUrl: true,
        username: true,
        status: true,
        lastFetchAt: true,
        nextFetchAt: true,
        mailsFetched: true,
        lastError: true,
        lastErrorHint: true,
        authType: true,
        connection: { select: { status: true, accessTokenExpiresAt: true } },
      },
    });
    expect(await incoming.listMailboxes()).toEqual(ormMailboxes);
    expect(await incoming.listMailboxNames()).toEqual(ormMailboxes.map((m) => ({ id: m.id, name: m.name })));

    expect(
      await readRows(`SELECT COUNT(*) AS "n" FROM "Request" WHERE "lastMessageAt" < ?`, [at(3)], { n: "int" }),
    ).toEqual([{ n: 3 }]);
  });
});
