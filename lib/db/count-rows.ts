import { Prisma } from "./generated/sqlite/client";
import type { Db } from "./client";

// Prisma counts through `SELECT COUNT(*) FROM (SELECT id … LIMIT ? OFFSET ?)`, and that subquery makes SQLite
// visit every row: 8 ms over 100,000 requests, where a plain COUNT(*) is answered from an index in 0.2 ms.
const COUNTABLE = {
  Request: ["mailboxId", "status"],
  IngestedMail: ["mailboxId", "requestId", "state"],
} as const;

type Countable = keyof typeof COUNTABLE;

/** The exact number of rows whose columns equal the given values (null: IS NULL), as one plain COUNT(*). */
export async function countRows<T extends Countable>(
  database: Db,
  table: T,
  equals: Partial<Record<(typeof COUNTABLE)[T][number], string | null>>,
): Promise<number> {
  const conditions = Object.entries(equals)
    .filter(([column, value]) => value !== undefined && (COUNTABLE[table] as readonly string[]).includes(column))
    .map(([column, value]) =>
      value === null
        ? Prisma.sql`${Prisma.raw(`"${column}"`)} IS NULL`
        : Prisma.sql`${Prisma.raw(`"${column}"`)} = ${value}`,
    );
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  const rows = await database.$queryRaw<
    { n: bigint | number }[]
  >`SELECT COUNT(*) AS n FROM ${Prisma.raw(`"${table}"`)} ${where}`;
  return Number(rows[0]?.n ?? 0);
}
