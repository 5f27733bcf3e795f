// The mailbox service, split by job: records (save, load, delete), the source configuration, the connection
// check and sample fetch, and the run records.
export {
  listMailboxes,
  listMailboxNames,
  getMailboxForEdit,
  saveMailbox,
  deleteMailbox,
  type MailboxForEdit,
} from "./mailbox-records";
export { verifyMailbox, runSampleFetch, type VerifyResult } from "./mailbox-checks";
export { sourceConfigFor, sourceConfigForMailbox } from "./mailbox-source";
export { recordRun, listRuns, getRunTranscript } from "./fetch-runs";
