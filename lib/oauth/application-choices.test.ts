// The applications a form can start from, as plain SQL: what the ORM's read gave, on both databases, without
// reading a secret.
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";

describe.each(["sqlite", "postgresql"] as const)("the application choices on %s", (kind) => {
  it("match the ORM's applications with their first connection's scope and grant, and hold no secret", async () => {
    await useTestDatabase(kind === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    const { db } = await import("@/lib/db");
    const { listApplicationChoices } = await import("@/lib/oauth");
    expect(await listApplicationChoices()).toEqual([]);
    const at = (day: number) => new Date(Date.UTC(2026, 0, day));
    const withSecret = await db().oAuthApplication.create({
      data: {
        name: "Secret app",
        preset: "microsoft",
        clientId: "c1",
        clientSecret: "secret-one",
        tenant: "contoso",
        tokenUrl: "https://login.example/token",
        revocationUrl: "https://login.example/revoke",
        secretExpiresOn: new Date(Date.UTC(2027, 1, 3)),
        tokenExpiryMarginSec: 120,
        createdAt: at(1),
      },
    });
    const keyed = await db().oAuthApplication.create({
      data: {
        name: "Key app",
        preset: "google_service_account",
        clientId: "c2",
        clientAuthMethod: "private_key_jwt",
        privateKey: "private-key-secret",
        privateKeyId: "kid",
        issuer: "https://issuer.example",
        scope: "own-scope",
        createdAt: at(2),
      },
    });
    await db().oAuthApplication.create({ data: { name: "Bare", preset: "generic", clientId: "c3", createdAt: at(3) } });
    const conn = (applicationId: string, day: number, scope: string, grantType: string) =>
      db().oAuthConnection.create({
        data: { applicationId, scope, grantType, refreshToken: "refresh-secret", createdAt: at(day) },
      });
    await conn(withSecret.id, 6, "later-scope", "client_credentials");
    await conn(withSecret.id, 5, "first-scope", "authorization_code");
    await conn(keyed.id, 4, "conn-scope", "client_credentials");

    // the read it replaces, as it was
    const { applicationFields } = await import("./application-view");
    const apps = await db().oAuthApplication.findMany({
      orderBy: { createdAt: "asc" },
      include: { connections: { select: { scope: true, grantType: true }, orderBy: { createdAt: "asc" }, take: 1 } },
    });
    const orm = apps.map(({ connections, ...app }) => {
      const { hasClientSecret, hasPrivateKey, ...fields } = applicationFields(app);
      return {
        id: app.id,
        label: app.name,
        fields: { ...fields, scope: app.scope || connections[0]?.scope || "" },
        grantType: connections[0]?.grantType ?? null,
        hasClientSecret,
        hasPrivateKey,
      };
    });
    const choices = await listApplicationChoices();
    expect(choices).toEqual(orm);
    expect(choices.map((c) => [c.label, c.fields.scope, c.grantType, c.hasClientSecret, c.hasPrivateKey])).toEqual([
      ["Secret app", "first-scope", "authorization_code", true, false],
      ["Key app", "own-scope", "client_credentials", false, true],
      ["Bare", "", null, false, false],
    ]);
    expect(JSON.stringify(choices)).not.toMatch(/secret-one|private-key-secret|refresh-secret/);
  });
});
