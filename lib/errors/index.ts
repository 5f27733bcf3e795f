export { UserFacingError } from "./user-facing-error";
export type { Hint } from "./hint";
