import { PrismaLibSql } from "@prisma/adapter-libsql";

// SQLite's default page cache is 2 MB: with 100,000s of rows the pages a console page reads (the indexes
// behind its lists and counts) no longer stay in it, and every request reads them from the OS again. 32 MB
// keeps them; the database's journal mode (WAL) and durability settings are the migration's (lib/db/migrate.ts).
const PRAGMAS = ["PRAGMA cache_size = -32000", "PRAGMA temp_store = MEMORY"];

type LibsqlClient = {
  execute(sql: string): Promise<unknown>;
  transaction(mode?: string): Promise<unknown>;
};

/** The libsql adapter whose connections are tuned for the console's reads. */
export class TunedSqliteAdapter extends PrismaLibSql {
  override async connect() {
    const adapter = await super.connect();
    // The adapter keeps its libsql client as `client` (sqlite-adapter.test.ts fails should that change). The
    // client hands its connection to each transaction and opens a new one for what follows: that one is tuned
    // as well, before anything else uses it.
    const client = (adapter as unknown as { client?: LibsqlClient }).client;
    if (client) {
      const tune = async () => {
        for (const pragma of PRAGMAS) await client.execute(pragma);
      };
      const transaction = client.transaction.bind(client);
      client.transaction = async (mode) => {
        const tx = await transaction(mode);
        await tune();
        return tx;
      };
      await tune();
    }
    return adapter;
  }
}
