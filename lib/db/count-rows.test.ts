// The plain COUNT(*) behind the Requests pages, on both databases: filters by equality and IS NULL.
import Database from "libsql";
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

describe.each(["sqlite", "postgresql"] as const)("countRows on %s", (kind) => {
  it("counts the rows whose columns equal the values, null meaning none", async () => {
    await useTestDatabase(kind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    const { countRows, db } = await import("@/lib/db");
    const a = await db().incomingMailbox.create({ data: { name: "A", protocol: "imaps" } });
    const b = await db().incomingMailbox.create({ data: { name: "B", protocol: "imaps" } });
    const at = new Date();
    await db().request.createMany({
      data: [1, 2, 3, 4, 5].map((n) => ({
        number: n,
        mailboxId: n % 2 ? a.id : b.id,
        subject: `S${n}`,
        fromAddress: "x@example.org",
        status: n === 5 ? "closed" : "open",
        lastMessageAt: at,
      })),
    });
    expect(await countRows("Request", {})).toBe(5);
    expect(await countRows("Request", { mailboxId: a.id })).toBe(3);
    expect(await countRows("Request", { mailboxId: a.id, status: "closed" })).toBe(1);
    expect(await countRows("Request", { status: undefined, mailboxId: b.id })).toBe(2);
    await db().ingestedMail.createMany({
      data: ["k1", "k2", "k3"].map((key, i) => ({
        mailboxId: a.id,
        sourceKey: key,
        rawSha256: "0",
        rawPath: key,
        rawSize: 1,
        state: "not_a_request",
        requestId: null,
        ...(i === 0 ? { state: "request_created" } : {}),
      })),
    });
    const request = await db().request.findFirstOrThrow({ where: { number: 1 } });
    await db().ingestedMail.updateMany({ where: { sourceKey: "k1" }, data: { requestId: request.id } });
    expect(await countRows("IngestedMail", { requestId: null })).toBe(2);
    expect(await countRows("IngestedMail", { requestId: null, mailboxId: b.id })).toBe(0);
    await db().$disconnect();
  });
});

describe("countRows on sqlite, counted again", () => {
  it("as soon as another connection commits (the ORM's, or one of its own as the fetcher's)", async () => {
    await useTestDatabase();
    const { countRows, db } = await import("@/lib/db");
    const { config } = await import("@/lib/config");
    const database = config().database;
    if (database.provider !== "sqlite") throw new Error("expected the SQLite default");
    const request = (number: number) => ({
      number,
      subject: `S${number}`,
      fromAddress: "x@example.org",
      status: "open",
      lastMessageAt: new Date(),
    });
    await db().request.create({ data: request(1) });
    expect(await countRows("Request", {})).toBe(1);
    expect(await countRows("Request", { status: "open" })).toBe(1);
    // the ORM's own connection
    await db().request.create({ data: request(2) });
    expect(await countRows("Request", {})).toBe(2);
    // a connection of its own, as the fetcher's (and another process's) writes come
    const other = new Database(database.file, { timeout: 10_000 });
    other.prepare(`UPDATE "Request" SET "status" = 'closed' WHERE "number" = 1`).run();
    expect(await countRows("Request", { status: "open" })).toBe(1);
    expect(await countRows("Request", { status: "closed" })).toBe(1);
    other.prepare(`DELETE FROM "Request" WHERE "number" = 2`).run();
    other.close();
    expect(await countRows("Request", {})).toBe(1);
    await db().$disconnect();
  });
});
