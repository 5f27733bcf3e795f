export { checkHealth, type Health } from "./health";
