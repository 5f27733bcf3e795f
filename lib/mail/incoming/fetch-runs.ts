import "server-only";
// The record of every fetch, sample fetch and connection check (FetchRun), with the redacted transcript when
// Enable Email Debug is on, and reading them back.
import { db } from "@/lib/db";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { pruneTranscripts } from "@/lib/mail/transcript";
import type { Step } from "./steps";

export async function recordRun(input: {
  mailboxId: string | null;
  kind: "sample" | "connect_check" | "fetch";
  userId: string;
  startedAt: Date;
  ok: boolean;
  steps: Step[];
  error?: string;
  hint?: unknown;
  mailsFetched?: number;
  transcript?: TranscriptRecorder;
}): Promise<string> {
  const transcript = input.transcript?.text();
  const run = await db().fetchRun.create({
    data: {
      mailboxId: input.mailboxId,
      kind: input.kind,
      userId: input.userId,
      startedAt: input.startedAt,
      finishedAt: new Date(),
      ok: input.ok,
      steps: JSON.stringify(input.steps),
      error: input.error ?? null,
      hint: input.hint ? JSON.stringify(input.hint) : null,
      mailsFetched: input.mailsFetched ?? 0,
      transcript: transcript ?? null,
      transcriptBytes: transcript ? Buffer.byteLength(transcript) : 0,
    },
  });
  if (transcript && input.mailboxId) await pruneTranscripts({ mailboxId: input.mailboxId });
  return run.id;
}

/** Newest first, a page at a time: `before` is the start time of the last run of the previous page. */
export async function listRuns(opts: { mailboxId?: string; take?: number; before?: Date } = {}) {
  return db().fetchRun.findMany({
    where: {
      ...(opts.mailboxId ? { mailboxId: opts.mailboxId } : {}),
      ...(opts.before ? { startedAt: { lt: opts.before } } : {}),
    },
    orderBy: { startedAt: "desc" },
    take: opts.take ?? 50,
    select: {
      id: true,
      mailboxId: true,
      kind: true,
      startedAt: true,
      finishedAt: true,
      ok: true,
      error: true,
      hint: true,
      mailsFetched: true,
      transcriptBytes: true,
      mailbox: { select: { name: true } },
    },
  });
}

export async function getRunTranscript(
  runId: string,
): Promise<{ id: string; startedAt: Date; mailboxName: string | null; transcript: string | null } | null> {
  const run = await db().fetchRun.findUnique({
    where: { id: runId },
    select: { id: true, startedAt: true, transcript: true, mailbox: { select: { name: true } } },
  });
  return run
    ? { id: run.id, startedAt: run.startedAt, mailboxName: run.mailbox?.name ?? null, transcript: run.transcript }
    : null;
}
