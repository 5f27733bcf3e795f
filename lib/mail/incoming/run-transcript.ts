import "server-only";
// The debug transcript of one run of a mailbox's settings, headed with what ran, where, when and by whom.
import { db } from "@/lib/db";
import { TranscriptRecorder } from "@/lib/mail/transcript";
import type { MailboxFormValues } from "./mailbox-form-schema";

const KIND_LABELS = { sample: "Sample fetch", connect_check: "Connection check", fetch: "Scheduled fetch" } as const;

type RunValues = Pick<MailboxFormValues, "name" | "protocol" | "host" | "port" | "connectUrl" | "folder">;

export async function runTranscript(input: {
  kind: keyof typeof KIND_LABELS;
  values: RunValues;
  userId: string | null;
  startedAt: Date;
  secrets: (string | null | undefined)[];
}): Promise<TranscriptRecorder> {
  const { values } = input;
  const user = input.userId
    ? await db().user.findUnique({ where: { id: input.userId }, select: { email: true, name: true } })
    : null;
  const ranBy = input.userId
    ? user
      ? `${user.name ? `${user.name} ` : ""}<${user.email}>`
      : `user ${input.userId}`
    : "scheduler";
  const server =
    values.protocol === "ews" || values.protocol === "graph"
      ? (values.connectUrl ?? "")
      : `${values.host}:${values.port}`;
  return new TranscriptRecorder({
    secrets: input.secrets,
    header: {
      kind: KIND_LABELS[input.kind],
      mailbox: values.name || "(unsaved settings)",
      protocol: values.protocol,
      server,
      folder:
        values.protocol === "graph" ||
        values.protocol === "ews" ||
        values.protocol === "imap" ||
        values.protocol === "imaps"
          ? values.folder
          : undefined,
      startedAt: input.startedAt,
      ranBy,
    },
  });
}
