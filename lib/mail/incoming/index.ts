// Public surface of incoming mail: the adapters behind one interface, the sample fetch, the form schema and
// (server-only) the mailbox service.
export type {
  IncomingSource, IncomingSession, SourceAuth, SourceSettings, SourceCursor, ListedMessage, ListNewResult, AfterFetch,
  AfterFetchAction, IncomingProtocol, OAuthToken,
} from "./source";
export { INCOMING_PROTOCOLS, AFTER_FETCH_ACTIONS } from "./source";
export { createSource } from "./create-source";
export { sampleFetch, type SampleFetchResult } from "./sample-fetch";
export { previewMail, sanitizeMailHtml, type MailPreview } from "./mail-preview";
export { StepRecorder, MailStepError, type Step, type StepName } from "./steps";
export { exchangeOnlineEwsWarning } from "./ews-soap";
export {
  listMailboxes, getMailboxForEdit, saveMailbox, deleteMailbox, verifyMailbox, runSampleFetch, listRuns, getRunTranscript,
  sourceForMailbox, recordRun, type MailboxForEdit, type VerifyResult,
} from "./mailbox-service";
