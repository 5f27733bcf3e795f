// The client-safe entry of lib/users: the forms' schemas.
export * from "./user-form-schema";
