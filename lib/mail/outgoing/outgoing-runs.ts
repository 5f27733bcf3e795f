import "server-only";
// Outgoing attempts (settings check, test mail, a failed or debugged send) recorded as runs next to the
// incoming ones, with their steps and the redacted transcript, so Activity shows both.
import { db } from "@/lib/db";
import { pruneTranscripts } from "@/lib/mail/transcript";
import type { AttemptResult } from "./attempt";
import { SERVER_ID } from "./server-settings";

export type OutgoingRunKind = "send_check" | "test_send" | "send";

export async function recordOutgoingRun(
  kind: OutgoingRunKind,
  result: AttemptResult,
  opts: { startedAt: Date; userId?: string | null },
): Promise<string> {
  const run = await db().fetchRun.create({
    data: {
      outgoingServerId: SERVER_ID,
      kind,
      userId: opts.userId ?? null,
      startedAt: opts.startedAt,
      finishedAt: new Date(),
      ok: result.ok,
      steps: JSON.stringify(result.steps),
      error: result.ok
        ? null
        : result.failure.raw
          ? `${result.failure.error}: ${result.failure.raw}`
          : result.failure.error,
      hint: !result.ok && result.failure.hint ? JSON.stringify(result.failure.hint) : null,
      mailsFetched: 0,
      transcript: result.transcript,
      transcriptBytes: result.transcript ? Buffer.byteLength(result.transcript) : 0,
    },
    select: { id: true },
  });
  if (result.transcript) await pruneTranscripts();
  return run.id;
}
