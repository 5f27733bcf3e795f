// The Outgoing page's plain-SQL reads (settings for the form, status, outbox) give what the ORM gave for the
// same rows, on both databases, and never a secret.
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

describe.each(["sqlite", "postgresql"] as const)("the Outgoing page's reads on %s", (kind) => {
  it("match the ORM's settings, status and outbox, and hold no secret", async () => {
    await useTestDatabase(kind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    const { db } = await import("@/lib/db");
    const { getOutgoingForEdit, getOutgoingStatus, listOutbox } = await import("@/lib/mail/outgoing");
    expect(await getOutgoingForEdit()).toBeNull();
    expect(await getOutgoingStatus()).toBeNull();
    expect(await listOutbox()).toEqual([]);

    // the reads they replace, as they were
    const ormForEdit = async () => {
      const row = await db().outgoingServer.findUnique({ where: { id: "default" } });
      if (!row) return null;
      return {
        protocol: row.protocol,
        host: row.host,
        alternateHost: row.alternateHost,
        port: row.port,
        connectUrl: row.connectUrl ?? "",
        enableTls: row.enableTls,
        authType: row.authType,
        username: row.username,
        senderName: row.senderName,
        replyTo: row.replyTo,
        maxEmailSizeMb: row.maxEmailSizeMb,
        contactEmail: row.contactEmail,
        debug: row.debug,
        hasPassword: Boolean(row.password),
        connectionId: row.connectionId,
      };
    };
    const ormStatus = async () => {
      const row = await db().outgoingServer.findUnique({
        where: { id: "default" },
        select: {
          status: true,
          lastError: true,
          lastErrorHint: true,
          lastSentAt: true,
          incidentSince: true,
          incidentNotifiedAt: true,
          contactEmail: true,
          connection: { select: { status: true } },
        },
      });
      if (!row) return null;
      const reconnect = row.status === "reconnect_needed" || row.connection?.status === "reconnect_needed";
      return { ...row, status: reconnect ? "reconnect_needed" : row.status };
    };

    await db().outgoingServer.create({
      data: {
        protocol: "smtps",
        host: "smtp.example.org",
        port: 465,
        username: "sender@example.org",
        password: "server-secret",
        senderName: "Help",
        contactEmail: "ops@example.org",
        debug: true,
        enableTls: false,
        status: "failing",
        lastError: "535 no",
        lastErrorHint: JSON.stringify({ title: "t", action: "a" }),
        incidentSince: new Date(Date.UTC(2026, 10, 1, 2, 3, 4, 567)),
      },
    });
    expect(await getOutgoingForEdit()).toEqual(await ormForEdit());
    expect(await getOutgoingForEdit()).toMatchObject({ hasPassword: true, connectUrl: "", debug: true, port: 465 });
    expect(await getOutgoingStatus()).toEqual(await ormStatus());

    // an OAuth connection that needs reconnecting makes the status say so; no password stored
    const app = await db().oAuthApplication.create({ data: { name: "App", preset: "google", clientId: "c" } });
    const conn = await db().oAuthConnection.create({
      data: {
        applicationId: app.id,
        grantType: "authorization_code",
        direction: "outgoing",
        accessToken: "access-secret",
        status: "reconnect_needed",
      },
    });
    await db().outgoingServer.update({
      where: { id: "default" },
      data: {
        protocol: "graph",
        authType: "oauth",
        password: null,
        connectUrl: "https://graph.example/v1.0",
        connectionId: conn.id,
        status: "ok",
        lastSentAt: new Date(Date.UTC(2026, 10, 2)),
      },
    });
    expect(await getOutgoingForEdit()).toEqual(await ormForEdit());
    expect(await getOutgoingForEdit()).toMatchObject({ hasPassword: false, connectionId: conn.id });
    expect(await getOutgoingStatus()).toEqual(await ormStatus());
    expect((await getOutgoingStatus())?.status).toBe("reconnect_needed");

    const message = (n: number, extra: object = {}) =>
      db().outboxMessage.create({
        data: {
          idempotencyKey: `k${n}`,
          kind: "test",
          fromAddress: "sender@example.org",
          toAddresses: JSON.stringify([`to${n}@example.org`]),
          subject: `S${n}`,
          messageId: `<m${n}@example.org>`,
          bodyText: `body-secret-${n}`,
          raw: new Uint8Array(Buffer.from(`raw-secret-${n}`)),
          sizeBytes: 10 + n,
          createdAt: new Date(Date.UTC(2026, 10, 3, 0, n)),
          ...extra,
        },
      });
    await message(1, { state: "sent", server: "smtp.example.org", queueId: "Q1", sentAt: new Date() });
    await message(3, { state: "failed", attempts: 8, lastError: "550", hint: '{"title":"x","action":"y"}' });
    await message(2, { needsReview: true, state: "queued", attempts: 2 });
    const ormOutbox = (states?: string[], take = 100) =>
      db().outboxMessage.findMany({
        where: states ? { state: { in: states } } : {},
        orderBy: { createdAt: "desc" },
        take,
        select: {
          id: true,
          kind: true,
          state: true,
          subject: true,
          toAddresses: true,
          attempts: true,
          maxAttempts: true,
          nextAttemptAt: true,
          lastError: true,
          hint: true,
          needsReview: true,
          server: true,
          queueId: true,
          sentAt: true,
          createdAt: true,
          sizeBytes: true,
        },
      });
    const listed = await listOutbox();
    expect(listed).toEqual(await ormOutbox());
    expect(listed.map((m) => m.subject)).toEqual(["S3", "S2", "S1"]);
    expect(await listOutbox({ take: 2 })).toEqual(await ormOutbox(undefined, 2));
    expect(await listOutbox({ states: ["queued", "sent"] })).toEqual(await ormOutbox(["queued", "sent"]));
    expect(await listOutbox({ states: [] })).toEqual([]);
    expect(JSON.stringify([listed, await getOutgoingForEdit(), await getOutgoingStatus()])).not.toMatch(/secret/);
  });
});
