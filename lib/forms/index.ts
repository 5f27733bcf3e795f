export { fieldErrorsOf } from "./field-errors";
