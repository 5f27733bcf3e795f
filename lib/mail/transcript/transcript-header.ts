// The header a stored transcript starts with, so a downloaded file says what it is: which mailbox, which
// server and protocol, when, and who ran it.
import { formatDateTime } from "@/lib/format";

export type TranscriptHeader = {
  /** what ran: "Sample fetch", "Connection check", "Scheduled fetch" */
  kind: string;
  mailbox: string;
  protocol: string;
  /** host:port, or the EWS / Graph URL */
  server: string;
  folder?: string;
  startedAt: Date;
  /** the console user who ran it, or "scheduler" */
  ranBy: string;
};

export function transcriptHeaderLines(header: TranscriptHeader): string[] {
  return [
    `# Mailbridge debug transcript: ${header.kind}`,
    `# Mailbox:  ${header.mailbox}`,
    `# Server:   ${header.server} (${header.protocol.toUpperCase()}${header.folder ? `, folder ${header.folder}` : ""})`,
    `# Started:  ${formatDateTime(header.startedAt, { seconds: true })}`,
    `# Run by:   ${header.ranBy}`,
    "# Every password and token is removed from the lines below.",
    "",
  ];
}
