import { statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { config } from "@/lib/config";
import { db } from "./client";

const mode = (file: string) => statSync(file).mode & 0o777;

describe("the embedded database files", () => {
  afterAll(() => db().$disconnect());

  it("are readable by the owner only, with their -wal and -shm", async () => {
    await useTestDatabase(); // migrates: creates the file the way an older version did
    const database = config().database;
    if (database.provider !== "sqlite") throw new Error("expected SQLite");
    await db().loginThrottle.create({ data: { key: "mode-check", failures: 1 } });
    for (const file of [database.file, `${database.file}-wal`, `${database.file}-shm`])
      expect(mode(file).toString(8), file).toBe("600");
  });
});
