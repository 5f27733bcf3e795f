import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { config, resetConfigForTests } from "@/lib/config";
import { createRawClient, db } from "@/lib/db";
import { addKeyToFile, currentKey, resetKeyringForTests } from "@/lib/crypto";
import { reencryptAll } from "./reencrypt-secrets";

describe("secrets at rest through the database client", () => {
  beforeAll(async () => {
    await useTestDatabase();
    // Exercise the embedded default: no key configured → a key file is created under the data dir.
    delete process.env.MAILBRIDGE_SECRET_KEY;
    resetConfigForTests();
    resetKeyringForTests();
  });

  it("creates a 0600 key file, seals secret columns on write and opens them on read", async () => {
    const app = await db().oAuthApplication.create({
      data: {
        name: "Contoso",
        preset: "generic",
        clientId: "cid",
        clientSecret: "s3cret-value",
        authorizeUrl: "",
        tokenUrl: "",
      },
    });
    const file = path.join(config().dataDir, "secret.key");
    const { statSync } = await import("node:fs");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(app.clientSecret).toBe("s3cret-value");
    const raw = createRawClient(config().database);
    const stored = await raw.oAuthApplication.findUniqueOrThrow({ where: { id: app.id } });
    expect(stored.clientSecret).toMatch(/^mb1:/);
    expect(stored.clientSecret).not.toContain("s3cret");
    // nested writes are sealed too
    const conn = await db().oAuthConnection.create({
      data: { grantType: "authorization_code", refreshToken: "rt-1", application: { connect: { id: app.id } } },
      include: { application: true },
    });
    expect(conn.application.clientSecret).toBe("s3cret-value");
    const updated = await db().oAuthApplication.update({
      where: { id: app.id },
      data: { connections: { update: { where: { id: conn.id }, data: { refreshToken: "rt-2" } } } },
      include: { connections: true },
    });
    expect(updated.connections[0].refreshToken).toBe("rt-2");
    expect((await raw.oAuthConnection.findUniqueOrThrow({ where: { id: conn.id } })).refreshToken).toMatch(/^mb1:/);
    await raw.$disconnect();
  });

  it("refuses to read a plaintext value written behind its back", async () => {
    const raw = createRawClient(config().database);
    const app = await raw.oAuthApplication.create({
      data: { name: "x", preset: "generic", clientId: "c", clientSecret: "plain", authorizeUrl: "", tokenUrl: "" },
    });
    await expect(db().oAuthApplication.findUnique({ where: { id: app.id } })).rejects.toThrow(
      /not in the encrypted format/,
    );
    await raw.oAuthApplication.delete({ where: { id: app.id } });
    await raw.$disconnect();
  });

  it("rotates every secret to a new key while old readers keep working", async () => {
    const oldKey = currentKey();
    const before = await db().oAuthConnection.findFirstOrThrow();
    const newKey = addKeyToFile();
    expect(readFileSync(path.join(config().dataDir, "secret.key"), "utf8")).toContain(
      newKey.material.toString("base64"),
    );
    const raw = createRawClient(config().database);
    const report = await reencryptAll(raw);
    expect(report.keyId).toBe(newKey.id);
    expect(report.reencrypted).toBeGreaterThanOrEqual(2);
    const stored = await raw.oAuthConnection.findUniqueOrThrow({ where: { id: before.id } });
    expect(stored.refreshToken!.split(":")[1]).toBe(newKey.id);
    // a process that loaded only the old key reloads the key file when it meets the new key id
    resetKeyringForTests();
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: before.id } })).refreshToken).toBe(
      before.refreshToken,
    );
    expect((await reencryptAll(raw)).reencrypted).toBe(0);
    expect(oldKey.id).not.toBe(newKey.id);
    await raw.$disconnect();
  });
});
