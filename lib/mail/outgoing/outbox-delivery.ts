import "server-only";
// Sending one claimed outbox message. The message is marked "submitting" right before it is handed to the
// server, so after a crash we know whether the server can have it: before that it is sent again, after that
// it waits for the operator (see outbox-recovery.ts). Success records the server, queue id and response.
import { db } from "@/lib/db";
import { log, logUnexpected } from "@/lib/log";
import { MailStepError, StepRecorder } from "@/lib/mail/steps";
import { UserFacingError } from "@/lib/errors";
import { attempt, TOO_LARGE, type AttemptFailure, type AttemptResult } from "./attempt";
import { recordOutgoingRun } from "./outgoing-runs";
import { loadServer, transportsOf } from "./server-settings";
import { failureText, markSendFailed, markSendWorked } from "./server-status";

export type ClaimedMessage = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["outboxMessage"]["findUnique"]>>>;

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/** A refusal that a retry cannot change: too large, or the server refused the message itself (5xx). */
function isPermanent(failure: AttemptFailure): boolean {
  return failure.hint?.code === TOO_LARGE || (failure.step === "send" && /^5\d\d\b/.test(failure.raw ?? ""));
}

function setupFailure(error: unknown): AttemptResult {
  const steps = new StepRecorder();
  const failure = steps.fail(
    "prepare",
    error instanceof UserFacingError
      ? new MailStepError("prepare", error.message, undefined, null, (error as { code?: string }).code)
      : error,
  );
  return {
    ok: false,
    steps: steps.steps,
    failure: {
      step: "prepare",
      error: failure.message,
      code: failure.code,
      hint: failure.hint ?? null,
      server: "",
      failover: false,
    },
    skipped: [],
    transcript: null,
  };
}

export type DeliveryResult = AttemptResult & { state: "sent" | "queued" | "failed"; runId: string | null };

export async function deliverClaimed(
  message: ClaimedMessage,
  owner: string,
  opts: { userId?: string | null; recordRun?: "always" | "auto" } = {},
): Promise<DeliveryResult> {
  const startedAt = new Date();
  const mine = { id: message.id, leaseOwner: owner, state: "sending" };
  let result: AttemptResult;
  const server = await loadServer();
  try {
    if (!server) throw new UserFacingError("The outgoing mail settings are not configured.");
    const transports = await transportsOf(server, { alternateOnly: message.kind === "failure_notice" });
    result = await attempt(
      transports,
      {
        from: message.fromAddress,
        to: JSON.parse(message.toAddresses) as string[],
        raw: Buffer.from(message.raw),
        messageId: message.messageId,
      },
      {
        maxBytes: server.maxEmailSizeMb * 1024 * 1024,
        debug: server.debug,
        secrets: [server.password],
        onSubmit: async () => {
          await db().outboxMessage.updateMany({ where: mine, data: { phase: "submitting" } });
        },
      },
    );
  } catch (error) {
    if (!(error instanceof UserFacingError)) logUnexpected("outbox delivery", error);
    result = setupFailure(error);
  }

  let state: DeliveryResult["state"];
  if (result.ok) {
    state = "sent";
    await db().outboxMessage.updateMany({
      where: mine,
      data: {
        state,
        phase: null,
        leaseOwner: null,
        leaseUntil: null,
        server: result.server,
        queueId: result.outcome?.queueId ?? null,
        response: result.outcome?.response ?? null,
        sentAt: new Date(),
        lastError: null,
        hint: null,
      },
    });
    if (message.kind !== "failure_notice") await markSendWorked();
    if (result.skipped.length > 0)
      log.warn("outgoing: sent through the alternate server", {
        messageId: message.id,
        server: result.server,
        unreachable: result.skipped.map((s) => s.server),
      });
  } else {
    const permanent = isPermanent(result.failure) || message.attempts >= message.maxAttempts;
    state = permanent ? "failed" : "queued";
    await db().outboxMessage.updateMany({
      where: mine,
      data: {
        state,
        phase: null,
        leaseOwner: null,
        leaseUntil: null,
        nextAttemptAt: new Date(Date.now() + backoffMs(message.attempts)),
        lastError: failureText(result.failure),
        hint: result.failure.hint ? JSON.stringify(result.failure.hint) : null,
      },
    });
    log.warn("outgoing: sending failed", {
      messageId: message.id,
      server: result.failure.server,
      step: result.failure.step,
      retry: state === "queued",
      alternateNotTried: result.failure.alternateNotTried,
    });
    if (message.kind !== "failure_notice" && result.failure.hint?.code !== TOO_LARGE)
      await markSendFailed(result.failure, { notify: true });
  }
  const record = opts.recordRun === "always" || !result.ok || server?.debug;
  const runId = record
    ? await recordOutgoingRun(message.kind === "test" ? "test_send" : "send", result, {
        startedAt,
        userId: opts.userId,
      })
    : null;
  return { ...result, state, runId };
}
