export { log, logUnexpected } from "./logger";
