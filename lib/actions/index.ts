export { defineAction, fieldErrorsOf, type ActionResult } from "./safe-action";
