// Reads for the console's busiest pages as plain SQL: a Prisma model query costs 1.5–2 ms of CPU per call
// (query planning, the adapter preparing the statement anew, row conversion), the same SELECT on a prepared
// statement of its own connection about 0.3 ms. Only for columns that hold no secret (the ORM opens those,
// secret-extension.ts). SQLite: this process's read connection with its statements prepared once; PostgreSQL:
// the ORM's raw query on its pool. SQL uses `?` placeholders and double-quoted Prisma names, as ingest-db.ts.
import Database from "libsql";
import { config } from "@/lib/config";
import { db } from "./client";

export type ReadParam = string | number | Date | null;
/** Columns whose driver value needs converting: SQLite has text dates and 0/1 booleans, counts may be bigint. */
export type ColumnKinds = Record<string, "date" | "bool" | "int">;

const MAX_STATEMENTS = 200;
const MAX_CACHED_RESULTS = 100;

// Raw mode: rows as arrays, the column names read once per statement. The driver building an object per row
// (with a `_metadata` member that is dropped again) took about twice as long for a page of 50 runs.
type Prepared = { statement: Database.Statement; columns: string[] };
type RawRows = { columns: string[]; rows: unknown[][] };

class SqliteReader {
  private readonly conn: Database.Database;
  private readonly statements = new Map<string, Prepared>();
  private readonly dataVersion: Database.Statement;
  private readonly results = new Map<string, { version: unknown; result: RawRows }>();

  constructor(readonly file: string) {
    this.conn = new Database(file, { timeout: 10_000 });
    // as the ORM's connections (sqlite-adapter.ts): the indexes behind the lists stay in the page cache
    this.conn.pragma("cache_size = -32000");
    this.dataVersion = this.conn.prepare("PRAGMA data_version").raw(true);
  }

  /**
   * As all(), but the rows are kept until the database changes: `PRAGMA data_version` on this connection moves
   * with every commit of any other connection (the ORM's, the fetcher's), and this one only reads. For a
   * COUNT(*) that visits every row of an index (1.5 ms over 100,000 requests on every Requests page).
   */
  allUntilChanged(sql: string, params: ReadParam[]): RawRows {
    const version = (this.dataVersion.get() as unknown[])[0];
    const key = JSON.stringify([sql, params]);
    const cached = this.results.get(key);
    if (cached && cached.version === version) return cached.result;
    const result = this.all(sql, params);
    if (this.results.size >= MAX_CACHED_RESULTS) this.results.clear();
    this.results.set(key, { version, result });
    return result;
  }

  all(sql: string, params: ReadParam[]): RawRows {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      const statement = this.conn.prepare(sql).raw(true);
      prepared = { statement, columns: statement.columns().map((c) => c.name) };
      this.statements.set(sql, prepared);
    }
    // as the ORM stores them (ingest-db.ts): DateTime as ISO text with "+00:00"
    const values = params.map((p) => (p instanceof Date ? p.toISOString().replace("Z", "+00:00") : p));
    return { columns: prepared.columns, rows: prepared.statement.all(...values) as unknown[][] };
  }

  close(): void {
    this.conn.close();
  }
}

// On globalThis: one connection per process however the bundler splits the modules.
const shared = globalThis as unknown as { mailbridgeSqliteReader?: SqliteReader };

function sqliteReader(file: string): SqliteReader {
  if (shared.mailbridgeSqliteReader?.file !== file) {
    shared.mailbridgeSqliteReader?.close();
    shared.mailbridgeSqliteReader = new SqliteReader(file);
  }
  return shared.mailbridgeSqliteReader;
}

function postgresSql(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function convert(value: unknown, kind: ColumnKinds[string] | undefined): unknown {
  if (value === null || value === undefined || !kind) return value ?? null;
  if (kind === "date") return value instanceof Date ? value : new Date(value as string | number);
  if (kind === "bool") return value === true || value === 1 || value === 1n;
  return Number(value);
}

/**
 * The rows of one SELECT, with the listed columns converted; every other column as the driver gives it.
 * `untilChanged`: on SQLite, the same rows again until the database changes (see allUntilChanged).
 */
export async function readRows<T>(
  sql: string,
  params: ReadParam[] = [],
  kinds: ColumnKinds = {},
  opts: { untilChanged?: boolean } = {},
): Promise<T[]> {
  const database = config().database;
  if (database.provider === "sqlite") {
    const reader = sqliteReader(database.file);
    const { columns, rows } = opts.untilChanged ? reader.allUntilChanged(sql, params) : reader.all(sql, params);
    const columnKinds = columns.map((column) => kinds[column]);
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) out[columns[i]] = convert(row[i], columnKinds[i]);
      return out as T;
    });
  }
  const rows = await db().$queryRawUnsafe<Record<string, unknown>[]>(postgresSql(sql), ...params);
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const column in row) if (column !== "_metadata") out[column] = convert(row[column], kinds[column]);
    return out as T;
  });
}
