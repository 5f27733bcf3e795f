// The plain COUNT(*) behind the Requests pages, on both databases: filters by equality and IS NULL.
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
