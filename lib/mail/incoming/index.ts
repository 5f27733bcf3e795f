// Public surface of incoming mail: the adapters behind one interface, the sample fetch, the form schema and
// (server-only) the mailbox service.
export type {
  IncomingSource,
  IncomingSession,
  SourceAuth,
  SourceSettings,
  SourceCursor,
  ListedMessage,
  ListNewResult,
  AfterFetch,
  AfterFetchAction,
  IncomingProtocol,
  OAuthToken,
} from "./source";
export { INCOMING_PROTOCOLS, AFTER_FETCH_ACTIONS } from "./source";
export { createSource } from "./create-source";
export { cursorCovers } from "./cursor-cover";
export {
  parseSourceConfig,
  sourceConfigSchema,
  type MailboxSourceConfig,
  type SourceConfigOf,
  type SourceInput,
} from "./source-config";
export { sampleFetch, type SampleFetchResult } from "./sample-fetch";
export { previewMail, type MailPreview } from "./mail-preview";
export { runTranscript } from "./run-transcript";
export { captureStart, previewSlots, PREVIEW_MAX_BYTES, PREVIEW_SLOTS, PREVIEW_WAIT_MS } from "./preview-capture";
export { StepRecorder, MailStepError, type Step, type StepName } from "./steps";
// Shared with outgoing mail: timed connections, HTTPS with the extra CA and proxy, and EWS SOAP helpers.
export { openTcp, startTls, trustedCas, type Endpoint } from "./net-connect";
export { HttpsClient, HttpError, readText, type HttpResponse } from "./https-client";
export { envelope as ewsEnvelope, escapeXml, ewsError, elementTexts } from "./ews-soap";
export { graphError, DEFAULT_GRAPH_BASE } from "./graph-source";
export { exchangeOnlineEwsWarning } from "./ews-soap";
export {
  listMailboxes,
  listMailboxNames,
  getMailboxForEdit,
  saveMailbox,
  deleteMailbox,
  verifyMailbox,
  runSampleFetch,
  listRuns,
  getRunTranscript,
  sourceConfigFor,
  sourceConfigForMailbox,
  recordRun,
  type MailboxForEdit,
  type VerifyResult,
} from "./mailbox-service";
export {
  mailboxStatus,
  needsAttention,
  MAILBOX_STATUS_LABELS,
  MAILBOX_STATUS_BADGES,
  type MailboxStatus,
} from "./mailbox-status";
