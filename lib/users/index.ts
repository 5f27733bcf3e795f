export {
  hasAnyAdmin,
  createFirstAdmin,
  listUsers,
  addUser,
  changeRole,
  setDisabled,
  resetPassword,
  endSessions,
  type UserRow,
} from "./user-service";
export * from "./user-form-schema";
export { findSessionUser, type SessionUserRow } from "./session-user";
