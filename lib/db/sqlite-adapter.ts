import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";

// SQLite's default page cache is 2 MB: with 100,000s of rows the pages a console page reads (the indexes
// behind its lists and counts) no longer stay in it, and every request reads them from the OS again. 32 MB
// keeps them; the database's journal mode (WAL) and durability settings are the migration's (lib/db/migrate.ts).
const PRAGMAS = ["cache_size = -32000", "temp_store = MEMORY"];

type Connection = { pragma(source: string): unknown };

/** The better-sqlite3 adapter whose connection is tuned for the console's reads once it opens. */
export class TunedSqliteAdapter extends PrismaBetterSqlite3 {
  override async connect() {
    const adapter = await super.connect();
    // The adapter keeps its better-sqlite3 connection as `client`; the pragma test (sqlite-adapter.test.ts)
    // fails should a new version of the adapter name it differently.
    const connection = (adapter as unknown as { client?: Connection }).client;
    for (const pragma of PRAGMAS) connection?.pragma(pragma);
    return adapter;
  }
}
