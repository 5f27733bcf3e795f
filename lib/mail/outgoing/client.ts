// The client-safe entry of lib/mail/outgoing: the settings form's schema and the types its components show.
export * from "./form-schema";
export type { OutgoingForEdit } from "./outgoing-view";
