export { defineAction, type ActionResult } from "./safe-action";
