// Public surface of the debug transcript: a redacting recorder shared by incoming and outgoing mail.
export { TranscriptRecorder, type TranscriptOptions, type TranscriptDirection } from "./transcript-recorder";
export { Redactor, REDACTED, encodedForms, redactCommandArguments } from "./redactor";
export { transcriptHeaderLines, type TranscriptHeader } from "./transcript-header";
export { pruneTranscripts, TRANSCRIPT_BYTES_PER_MAILBOX } from "./prune";
