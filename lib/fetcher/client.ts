// The client-safe entry of lib/fetcher: the import form's schema.
export * from "./import-schema";
