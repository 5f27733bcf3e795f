import "server-only";
// The outgoing settings in the database: save from the form (a blank password keeps the stored one), verify
// with a real authenticated connection (SMTP: connect + AUTH, no mail; Graph/EWS: an authenticated call),
// and "Send test mail" through the outbox, with the steps shown to the administrator.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { saveOAuthConnection } from "@/lib/oauth";
import { attempt, type AttemptResult } from "./attempt";
import { forgetOutgoingBannerStatus } from "./banner-cache";
import type { OutgoingFormValues } from "./form-schema";
import { enqueueMail } from "./outbox";
import { claimMessage } from "./outbox-claim";
import { deliverClaimed } from "./outbox-delivery";
import { recordOutgoingRun } from "./outgoing-runs";
import { loadServer, SERVER_ID, transportsOf, type ServerRow } from "./server-settings";
import { failureText, markSendFailed, markSendWorked } from "./server-status";

export async function saveOutgoing(
  values: OutgoingFormValues,
  userId: string,
): Promise<{ connectionId: string | null; needsConsent: boolean }> {
  const existing = await loadServer();
  let connectionId = existing?.connectionId ?? null;
  let needsConsent = false;
  if (values.authType === "password" && !values.password && !existing?.password)
    throw new UserFacingError("Enter the password.", { field: "password" });
  if (values.authType === "oauth") {
    if (!values.oauth) throw new UserFacingError("Fill in the OAuth fields.", { field: "oauth" });
    const saved = await saveOAuthConnection(values.oauth, {
      userId,
      existingConnectionId: connectionId,
      direction: "outgoing",
      mailbox: values.username,
    });
    connectionId = saved.connectionId;
    needsConsent = saved.needsConsent;
  }
  const smtp = values.protocol === "smtp" || values.protocol === "smtps";
  const data = {
    protocol: values.protocol,
    host: smtp ? values.host : "",
    alternateHost: smtp ? values.alternateHost : "",
    port: values.port,
    connectUrl: smtp ? null : values.connectUrl,
    enableTls: values.protocol === "smtp" ? values.enableTls : true,
    authType: values.authType,
    username: values.username,
    senderName: values.senderName,
    replyTo: values.replyTo,
    maxEmailSizeMb: values.maxEmailSizeMb,
    contactEmail: values.contactEmail,
    debug: values.debug,
    connectionId: values.authType === "oauth" ? connectionId : (existing?.connectionId ?? null),
    // Saved settings are unproven until a real connection says otherwise.
    status: "new",
    ...(values.authType === "password" ? (values.password ? { password: values.password } : {}) : { password: null }),
  };
  await db().outgoingServer.upsert({ where: { id: SERVER_ID }, create: { id: SERVER_ID, ...data }, update: data });
  forgetOutgoingBannerStatus();
  return { connectionId, needsConsent };
}

export type OutgoingCheck = {
  ok: boolean;
  message: string;
  steps: AttemptResult["steps"];
  failedStep?: string;
  error?: string;
  raw?: string;
  hint?: unknown;
  skipped: { server: string; error: string }[];
  alternateNotTried?: string;
  queueId?: string | null;
  runId: string | null;
};

function checkOf(result: AttemptResult, success: string, runId: string | null): OutgoingCheck {
  const skipped = result.skipped.map((s) => ({ server: s.server, error: failureText(s) }));
  if (result.ok)
    return {
      ok: true,
      message: success,
      steps: result.steps,
      skipped,
      queueId: result.outcome?.queueId ?? null,
      runId,
    };
  const f = result.failure;
  return {
    ok: false,
    message: f.error,
    steps: result.steps,
    failedStep: f.step,
    error: f.error,
    raw: f.raw,
    hint: f.hint,
    skipped,
    alternateNotTried: f.alternateNotTried,
    runId,
  };
}

async function requireServer(): Promise<ServerRow> {
  const row = await loadServer();
  if (!row) throw new UserFacingError("Save the outgoing mail settings first.");
  return row;
}

/** Connects and authenticates for real; only its success makes the status Active ("Connected"). */
export async function verifyOutgoing(userId: string): Promise<OutgoingCheck> {
  const row = await requireServer();
  const startedAt = new Date();
  const result = await attempt(await transportsOf(row), null, { debug: row.debug, secrets: [row.password] });
  if (result.ok) await markSendWorked();
  else await markSendFailed(result.failure, { notify: false });
  const runId = await recordOutgoingRun("send_check", result, { startedAt, userId });
  return checkOf(result, result.ok ? `Connected to ${result.server} as ${row.username}` : "", runId);
}

/** Queues a test mail and sends it now through the outbox (one attempt), showing every step. */
export async function sendTestMail(to: string, userId: string): Promise<OutgoingCheck> {
  await requireServer();
  const queued = await enqueueMail({
    kind: "test",
    idempotencyKey: `test:${randomUUID()}`,
    to: [to],
    subject: "Mailbridge test mail",
    text: "This is a test mail from Mailbridge: the outgoing mail settings work.\n",
    userId,
    maxAttempts: 1,
    holdMs: 60_000,
  });
  const owner = `test-send-${randomUUID().slice(0, 8)}`;
  const claimed = await claimMessage(queued.id, owner, { ignoreSchedule: true });
  if (!claimed)
    throw new UserFacingError("The test mail was picked up by the outbox worker already; see the outbox below.");
  const result = await deliverClaimed(claimed, owner, { userId, recordRun: "always" });
  return checkOf(
    result,
    result.ok
      ? `Sent to ${to} through ${result.server}${result.outcome?.queueId ? ` (queue id ${result.outcome.queueId})` : ""}`
      : "",
    result.runId,
  );
}
