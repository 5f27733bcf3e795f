export { db, createDb, createRawClient, type Db, type RawDb } from "./client";
export { SECRET_FIELDS, secretFieldsOf } from "./secret-fields";
// Migrations run from CLIs and tests only: import them from "@/lib/db/migrate".
