export { hasAnyAdmin, createFirstAdmin, listUsers, addUser, changeRole, setDisabled, resetPassword, type UserRow } from "./user-service";
export * from "./user-form-schema";
