import type { Hint } from "./hint";

/**
 * An error whose message is written for administrators and may be shown as-is. Anything that is not a
 * UserFacingError is logged with an id and shown generically.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly options: { field?: string; fieldErrors?: Record<string, string>; hint?: Hint; raw?: string } = {},
  ) {
    super(message);
    this.name = "UserFacingError";
  }
}
