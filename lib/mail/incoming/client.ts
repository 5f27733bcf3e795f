// The client-safe entry of lib/mail/incoming: the mailbox form's schema, labels and the types its components
// show (types only from server modules: they are erased from the bundle).
export * from "./mailbox-form-schema";
export { exchangeOnlineEwsWarning } from "./ews-soap";
export { INCOMING_PROTOCOLS, AFTER_FETCH_ACTIONS, type AfterFetchAction, type IncomingProtocol } from "./source";
export type { MailPreview } from "./mail-preview";
export type { MailboxForEdit } from "./mailbox-service";
export { serverChanged } from "./stored-secret-rule";
