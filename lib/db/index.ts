export { db, createDb, createRawClient, type Db, type RawDb } from "./client";
export { migrate, MigrationError, type MigrateResult } from "./migrate";
export { SECRET_FIELDS, secretFieldsOf } from "./secret-fields";
