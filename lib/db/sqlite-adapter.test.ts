import { afterAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "./client";

afterAll(() => db().$disconnect());

it("opens the embedded database with a page cache that holds the console's indexes", async () => {
  await useTestDatabase();
  const [{ cache_size }] = await db().$queryRawUnsafe<{ cache_size: bigint | number }[]>("PRAGMA cache_size");
  expect(Number(cache_size)).toBe(-32000);
  const [{ temp_store }] = await db().$queryRawUnsafe<{ temp_store: bigint | number }[]>("PRAGMA temp_store");
  expect(Number(temp_store)).toBe(2);
});

it("keeps the tuned page cache on the connection opened after a transaction", async () => {
  await useTestDatabase();
  await db().$transaction(async (tx) => {
    await tx.$queryRawUnsafe("SELECT 1");
  });
  const [{ cache_size }] = await db().$queryRawUnsafe<{ cache_size: bigint | number }[]>("PRAGMA cache_size");
  expect(Number(cache_size)).toBe(-32000);
});
