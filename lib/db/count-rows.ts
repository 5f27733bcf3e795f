import { readRows, type ReadParam } from "./raw-read";

// Prisma counts through `SELECT COUNT(*) FROM (SELECT id … LIMIT ? OFFSET ?)`, and that subquery makes SQLite
// visit every row: 8 ms over 100,000 requests, where a plain COUNT(*) is answered from an index in 0.2 ms.
const COUNTABLE = {
  Request: ["mailboxId", "status"],
  IngestedMail: ["mailboxId", "requestId", "state"],
} as const;

type Countable = keyof typeof COUNTABLE;

/**
 * The exact number of rows whose columns equal the given values (null: IS NULL), as one plain COUNT(*). Still
 * 1.5 ms over 100,000 rows on SQLite, so counted again only once the database has changed (raw-read.ts).
 */
export async function countRows<T extends Countable>(
  table: T,
  equals: Partial<Record<(typeof COUNTABLE)[T][number], string | null>>,
): Promise<number> {
  const params: ReadParam[] = [];
  const conditions = Object.entries(equals)
    .filter(([column, value]) => value !== undefined && (COUNTABLE[table] as readonly string[]).includes(column))
    .map(([column, value]) => {
      if (value === null) return `"${column}" IS NULL`;
      params.push(value as string);
      return `"${column}" = ?`;
    });
  const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
  const rows = await readRows<{ n: number }>(
    `SELECT COUNT(*) AS "n" FROM "${table}"${where}`,
    params,
    { n: "int" },
    { untilChanged: true },
  );
  return rows[0]?.n ?? 0;
}
