import "server-only";
// The connection check and the sample fetch of a mailbox: each connects for real under one deadline, built
// from the same validated configuration as the fetcher, and is recorded as a FetchRun.
import { withDeadline } from "@/lib/net";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { createSource } from "./create-source";
import { recordRun } from "./fetch-runs";
import type { MailboxFormValues } from "./mailbox-form-schema";
import { rowValues } from "./mailbox-row";
import { sourceConfigFor } from "./mailbox-source";
import { runTranscript } from "./run-transcript";
import { sampleFetch, type SampleFetchResult } from "./sample-fetch";
import type { MailboxSourceConfig } from "./source-config";
import type { IncomingSession } from "./source";
import { MailStepError, StepRecorder, type Step } from "./steps";

/** A whole sample fetch or connection check ends by then, whatever a slow server does. */
const OPERATION_DEADLINE_MS = 90_000;

/** Closes a session once it is open (after a deadline it may still be opening); never throws. */
function closeWhenOpen(connecting: Promise<IncomingSession> | undefined): void {
  void connecting
    ?.then(
      (session) => session.close(),
      () => undefined,
    )
    .catch(() => undefined);
}

function serverOf(config: MailboxSourceConfig): string {
  if (config.protocol === "graph") return new URL(config.baseUrl).host;
  if (config.protocol === "ews") return new URL(config.url).host;
  return config.host;
}

export type VerifyResult =
  | { ok: true; message: string; steps: Step[]; runId: string }
  | { ok: false; error: string; raw?: string; hint?: unknown; steps: Step[]; failedStep: string; runId: string };

/** Connects and authenticates for real (and opens the folder); only this proves the settings work. */
export async function verifyMailbox(
  id: string,
  userId: string,
  opts: { deadlineMs?: number } = {},
): Promise<VerifyResult> {
  const row = await db().incomingMailbox.findUnique({ where: { id } });
  if (!row) throw new UserFacingError("This mailbox no longer exists.");
  const values = rowValues(row);
  const startedAt = new Date();
  const transcript = row.debug
    ? await runTranscript({ kind: "connect_check", values, userId, startedAt, secrets: [row.password] })
    : undefined;
  const steps = new StepRecorder((text) => transcript?.redactor.redact(text) ?? text);
  let result: VerifyResult;
  let connecting: Promise<IncomingSession> | undefined;
  try {
    const config = await sourceConfigFor(values, row);
    const source = createSource(config);
    try {
      await withDeadline(opts.deadlineMs ?? OPERATION_DEADLINE_MS, "Checking the connection", async () => {
        connecting = source.connect({ steps, transcript });
        await (await connecting).openFolder(config.folder, { readOnly: true });
      });
    } finally {
      closeWhenOpen(connecting);
    }
    result = {
      ok: true,
      message: `Connected to ${serverOf(config)} as ${values.username}`,
      steps: steps.steps,
      runId: "",
    };
  } catch (error) {
    const failure = error instanceof MailStepError ? error : steps.fail("connect", error);
    result = {
      ok: false,
      error: failure.message,
      raw: failure.raw,
      hint: failure.hint,
      steps: steps.steps,
      failedStep: failure.step,
      runId: "",
    };
  }
  await db().incomingMailbox.update({
    where: { id },
    data: result.ok
      ? { status: "ok", lastError: null, lastErrorHint: null }
      : {
          status: "failing",
          lastError: result.raw ? `${result.error}: ${result.raw}` : result.error,
          lastErrorHint: result.hint ? JSON.stringify(result.hint) : null,
        },
  });
  result.runId = await recordRun({
    mailboxId: id,
    kind: "connect_check",
    userId,
    startedAt,
    ok: result.ok,
    steps: result.steps,
    error: result.ok ? undefined : result.error,
    hint: result.ok ? undefined : result.hint,
    transcript,
  });
  return result;
}

/**
 * Fetch a sample mail with the form's current values (saved or not). A blank password means the stored one;
 * OAuth uses the saved mailbox's connection. Nothing changes on the mail server.
 */
export async function runSampleFetch(
  values: MailboxFormValues,
  userId: string,
  opts: { deadlineMs?: number } = {},
): Promise<SampleFetchResult & { runId: string }> {
  const stored = values.id ? await db().incomingMailbox.findUnique({ where: { id: values.id } }) : null;
  const startedAt = new Date();
  const transcript = values.debug
    ? await runTranscript({ kind: "sample", values, userId, startedAt, secrets: [values.password, stored?.password] })
    : undefined;
  const source = createSource(await sourceConfigFor(values, stored));
  const result = await withDeadline(opts.deadlineMs ?? OPERATION_DEADLINE_MS, "The sample fetch", () =>
    sampleFetch(source, { transcript }),
  ).catch((error: unknown): SampleFetchResult => {
    const failure = new StepRecorder().fail("fetch", error);
    return { ok: false, steps: [], failedStep: failure.step, error: failure.message, hint: failure.hint };
  });
  const runId = await recordRun({
    mailboxId: stored?.id ?? null,
    kind: "sample",
    userId,
    startedAt,
    ok: result.ok,
    steps: result.steps,
    error: result.ok ? undefined : result.raw ? `${result.error}: ${result.raw}` : result.error,
    hint: result.ok ? undefined : result.hint,
    mailsFetched: result.ok && result.mail ? 1 : 0,
    transcript,
  });
  return { ...result, runId };
}
