import "server-only";
// The fetcher's entry: opening a source from a mailbox's saved settings and what a fetch run uses of a session,
// without the console's mailbox service, checks and sample fetch behind index.ts: a fetcher process holds only
// what it uses.
export { createSource } from "./create-source";
export { sourceConfigForMailbox } from "./mailbox-source";
export { cursorCovers } from "./cursor-cover";
export { prepareMailTls } from "./tls-warmup";
export { StepRecorder, MailStepError, type Step, type StepName } from "./steps";
export type {
  AfterFetch,
  IncomingSession,
  ListedMessage,
  ListNewResult,
  SourceCursor,
  BatchMessage,
  FetchBatchOptions,
} from "./source";
