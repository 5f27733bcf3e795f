export { db, createDb, createRawClient, type Db, type RawDb } from "./client";
export { SECRET_FIELDS, secretFieldsOf } from "./secret-fields";
// Migrations run from CLIs and tests only, without the Prisma client: their entry is "@/lib/db/migrate".
export { reencryptAll, type RotationReport } from "./reencrypt-secrets";
export type { OAuthApplication, OAuthConnection } from "./generated/sqlite/client";
export { countRows } from "./count-rows";
export { readRows, type ReadParam, type ColumnKinds } from "./raw-read";
