// Public surface of the debug transcript: a redacting recorder shared by incoming and outgoing mail.
// Pruning stored transcripts needs the database: import it from "@/lib/mail/transcript/prune".
export { TranscriptRecorder, type TranscriptOptions, type TranscriptDirection } from "./transcript-recorder";
export { Redactor, REDACTED, encodedForms, redactCommandArguments } from "./redactor";
export { transcriptHeaderLines, type TranscriptHeader } from "./transcript-header";
