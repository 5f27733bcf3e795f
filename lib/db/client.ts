import { pathToFileURL } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { config, type DatabaseConfig } from "@/lib/config";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client";
import { applySecretFields } from "./secret-extension";
import { TunedSqliteAdapter } from "./sqlite-adapter";
import { prepareSqliteFile } from "./sqlite-file";

function withSecrets(base: SqliteClient) {
  return base.$extends({
    name: "secret-fields",
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          return applySecretFields(model, operation, args as Record<string, unknown>, query as never);
        },
      },
    },
  });
}

/** Both generated clients expose the same models; the SQLite client's type stands for both. */
export type Db = ReturnType<typeof withSecrets>;
export type RawDb = SqliteClient;

export function createRawClient(database: DatabaseConfig): RawDb {
  if (database.provider === "sqlite") {
    prepareSqliteFile(database.file);
    return new SqliteClient({
      adapter: new TunedSqliteAdapter({ url: pathToFileURL(database.file).href, timeout: 10_000 }),
    });
  }
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: database.url }) }) as unknown as RawDb;
}

export function createDb(database: DatabaseConfig): Db {
  return withSecrets(createRawClient(database));
}

const globalForDb = globalThis as unknown as { mailbridgeDb?: Db };

/** The process-wide client (kept on globalThis so Next's dev reloads don't open new pools). */
export function db(): Db {
  globalForDb.mailbridgeDb ??= createDb(config().database);
  return globalForDb.mailbridgeDb;
}
