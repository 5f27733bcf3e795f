import { describe, expect, it } from "vitest";
import pg from "pg";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "./client";

describe("the PostgreSQL client (scale-out mode)", () => {
  it("migrates, writes and reads through the same model API, with secrets sealed at rest", async () => {
    const url = await createPostgresDatabase();
    await useTestDatabase({ databaseUrl: url });
    const app = await db().oAuthApplication.create({
      data: {
        name: "Fabrikam",
        preset: "microsoft",
        tenant: "fabrikam.com",
        clientId: "c",
        clientSecret: "pg-secret",
        authorizeUrl: "a",
        tokenUrl: "t",
      },
    });
    expect((await db().oAuthApplication.findUniqueOrThrow({ where: { id: app.id } })).clientSecret).toBe("pg-secret");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT "clientSecret" FROM "OAuthApplication" WHERE id = $1`, [app.id]);
    expect(rows[0].clientSecret).toMatch(/^mb1:[0-9a-f]{12}:/);
    await client.end();
    await db().$disconnect();
  });
});
