export { handlers, auth, signIn, signOut, signInWaitMs } from "./auth";
export { currentUser, requirePageUser, requireUser, AccessDenied, type SessionUser, type Role } from "./current-user";
