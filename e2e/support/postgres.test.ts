import pg from "pg";
import { describe, expect, it } from "vitest";
import { createPostgresDatabase, dropStaleTestDatabases, testDatabaseCreatedAt, testDatabaseName } from "./postgres";

async function exists(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, "/postgres") });
  await client.connect();
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  await client.end();
  return rowCount === 1;
}

describe("test databases", () => {
  it("carry their creation time in the name", () => {
    const now = Date.UTC(2026, 11, 2, 19, 0, 7);
    expect(testDatabaseCreatedAt(testDatabaseName(now))).toBe(Date.UTC(2026, 11, 2, 19, 0, 7));
    expect(testDatabaseCreatedAt("mb_test_4d9ee40caa")).toBeNull();
    expect(testDatabaseCreatedAt("mailbridge")).toBeNull();
  });

  it("left over from an earlier run are dropped, those of a run still going are kept", async () => {
    const hour = 60 * 60 * 1000;
    const current = await createPostgresDatabase();
    const leftOver = await createPostgresDatabase({ createdAt: Date.now() - 4 * hour });
    const dropped = dropStaleTestDatabases(3 * hour);
    expect(dropped).toContain(new URL(leftOver).pathname.slice(1));
    expect(dropped).not.toContain(new URL(current).pathname.slice(1));
    expect(await exists(leftOver)).toBe(false);
    expect(await exists(current)).toBe(true);
  });
});
