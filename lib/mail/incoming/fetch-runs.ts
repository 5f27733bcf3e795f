import "server-only";
// The record of every fetch, sample fetch and connection check (FetchRun), with the redacted transcript when
// Enable Email Debug is on, and reading them back.
import { db, readRows, type ReadParam } from "@/lib/db";
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

/**
 * Newest first, a page at a time: `before` is the start time of the last run of the previous page. Plain SQL on
 * the indexed order (lib/db/raw-read.ts): the Activity page reads it on every visit.
 */
export async function listRuns(opts: { mailboxId?: string; take?: number; before?: Date } = {}) {
  const conditions: string[] = [];
  const params: ReadParam[] = [];
  if (opts.mailboxId) {
    conditions.push(`f."mailboxId" = ?`);
    params.push(opts.mailboxId);
  }
  if (opts.before) {
    conditions.push(`f."startedAt" < ?`);
    params.push(opts.before);
  }
  params.push(opts.take ?? 50);
  const rows = await readRows<{
    id: string;
    mailboxId: string | null;
    kind: string;
    startedAt: Date;
    finishedAt: Date | null;
    ok: boolean;
    error: string | null;
    hint: string | null;
    mailsFetched: number;
    transcriptBytes: number;
    mailboxName: string | null;
  }>(
    `SELECT f."id", f."mailboxId", f."kind", f."startedAt", f."finishedAt", f."ok", f."error", f."hint",
       f."mailsFetched", f."transcriptBytes", m."name" AS "mailboxName"
     FROM "FetchRun" f LEFT JOIN "IncomingMailbox" m ON m."id" = f."mailboxId"
     ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""}
     ORDER BY f."startedAt" DESC LIMIT ?`,
    params,
    { startedAt: "date", finishedAt: "date", ok: "bool", mailsFetched: "int", transcriptBytes: "int" },
  );
  return rows.map(({ mailboxName, ...run }) => ({
    ...run,
    mailbox: mailboxName === null ? null : { name: mailboxName },
  }));
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
