// The OAuth page's and dashboard's plain-SQL listing gives what the ORM's nested select gave, on both databases.
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

describe.each(["sqlite", "postgresql"] as const)("the application listing on %s", (kind) => {
  it("matches the ORM's applications, connections and mailboxes, and holds no secret", async () => {
    await useTestDatabase(kind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    const { db } = await import("@/lib/db");
    const { listApplications } = await import("@/lib/oauth");
    expect(await listApplications()).toEqual([]);
    const first = await db().oAuthApplication.create({
      data: {
        name: "First",
        preset: "microsoft",
        clientId: "c1",
        clientSecret: "secret-one",
        tenant: "contoso",
        tokenUrl: "https://login.example/token",
        secretExpiresOn: new Date(Date.UTC(2027, 1, 3)),
        createdAt: new Date(Date.UTC(2026, 0, 1)),
      },
    });
    const second = await db().oAuthApplication.create({
      data: { name: "Second", preset: "google", clientId: "c2", createdAt: new Date(Date.UTC(2026, 0, 2)) },
    });
    await db().oAuthApplication.create({
      data: { name: "Empty", preset: "generic", clientId: "c3", createdAt: new Date(Date.UTC(2026, 0, 3)) },
    });
    const conn = (applicationId: string, minute: number, extra: object = {}) =>
      db().oAuthConnection.create({
        data: {
          applicationId,
          grantType: "authorization_code",
          accessToken: "access-secret",
          refreshToken: "refresh-secret",
          createdAt: new Date(Date.UTC(2026, 0, 5, 0, minute)),
          ...extra,
        },
      });
    const c1 = await conn(first.id, 2, {
      status: "reconnect_needed",
      statusReason: "invalid_grant",
      loginHint: "a@example.org",
      accessTokenExpiresAt: new Date(Date.UTC(2027, 0, 2, 3, 4, 5, 678)),
      refreshTokenIssuedAt: new Date(Date.UTC(2026, 11, 1)),
    });
    const c0 = await conn(first.id, 1, { direction: "outgoing", scope: "mail.send", subject: "s@example.org" });
    const c2 = await conn(second.id, 3);
    for (const [name, connectionId] of [
      ["M1", c1.id],
      ["M2", c1.id],
      ["M3", c2.id],
      ["M4", null],
    ] as const)
      await db().incomingMailbox.create({ data: { name, protocol: "imaps", connectionId } });

    const orm = await db().oAuthApplication.findMany({
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        name: true,
        preset: true,
        clientId: true,
        tenant: true,
        tokenUrl: true,
        secretExpiresOn: true,
        connections: {
          orderBy: { createdAt: "asc" },
          select: {
            id: true,
            direction: true,
            grantType: true,
            scope: true,
            loginHint: true,
            subject: true,
            status: true,
            statusReason: true,
            statusHint: true,
            accessTokenExpiresAt: true,
            refreshTokenIssuedAt: true,
            refreshTokenExpiresAt: true,
            refreshTokenLastUsedAt: true,
            updatedAt: true,
            incomingMailboxes: { select: { id: true, name: true }, orderBy: { id: "asc" } },
          },
        },
      },
    });
    const listed = await listApplications();
    expect(listed).toEqual(orm);
    expect(listed.map((a) => a.name)).toEqual(["First", "Second", "Empty"]);
    expect(listed[0].connections.map((c) => c.id)).toEqual([c0.id, c1.id]);
    expect(listed[0].connections[1].incomingMailboxes.map((m) => m.name).sort()).toEqual(["M1", "M2"]);
    expect(JSON.stringify(listed)).not.toMatch(/secret-one|access-secret|refresh-secret/);
  });
});
