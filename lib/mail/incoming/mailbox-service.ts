import "server-only";
// Incoming mailboxes in the database: save from the form (a blank password keeps the stored one), connect for
// real to verify, run a sample fetch with saved or unsaved settings, and record every attempt as a FetchRun
// (with the redacted transcript when Enable Email Debug is on).
import { config } from "@/lib/config";
import { extraCa } from "@/lib/mail/extra-ca";
import { withDeadline } from "@/lib/net";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { pruneTranscripts } from "@/lib/mail/transcript";
import { createSource } from "./create-source";
import type { MailboxFormValues } from "./mailbox-form-schema";
import { forgetMailboxOAuth, isAppOnly, oauthAuth, requireRetypedGrantSecret, saveMailboxOAuth } from "./oauth-bridge";
import { runTranscript } from "./run-transcript";
import { sampleFetch, type SampleFetchResult } from "./sample-fetch";
import { passwordFor, serverChanged, serverField } from "./stored-secret-rule";
import type { AfterFetchAction, IncomingProtocol, IncomingSession, SourceAuth, SourceSettings } from "./source";
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

type MailboxRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["incomingMailbox"]["findUnique"]>>>;

/** The mailbox as the edit form shows it: never the password, only whether one is stored. */
export type MailboxForEdit = Omit<MailboxFormValues, "password" | "oauth" | "emailAddresses"> & {
  id: string;
  emailAddresses: string;
  hasPassword: boolean;
  connectionId: string | null;
};

export async function listMailboxes() {
  return db().incomingMailbox.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      protocol: true,
      host: true,
      port: true,
      connectUrl: true,
      username: true,
      status: true,
      lastFetchAt: true,
      nextFetchAt: true,
      mailsFetched: true,
      lastError: true,
      lastErrorHint: true,
      authType: true,
      connection: { select: { status: true, accessTokenExpiresAt: true } },
    },
  });
}

/** Names only, for filters: no status, no connection (listMailboxes reads both). */
export async function listMailboxNames(): Promise<{ id: string; name: string }[]> {
  return db().incomingMailbox.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}

export async function getMailboxForEdit(id: string): Promise<MailboxForEdit | null> {
  const row = await db().incomingMailbox.findUnique({ where: { id } });
  if (!row) return null;
  const { password: _never, emailAddresses, ...values } = rowValues(row);
  return {
    ...values,
    id: row.id,
    emailAddresses: emailAddresses.join(", "),
    hasPassword: Boolean(row.password),
    connectionId: row.connectionId,
  };
}

function settingsOf(
  values: Pick<
    MailboxFormValues,
    "protocol" | "startTls" | "host" | "port" | "connectUrl" | "folder" | "username" | "emailAddresses"
  >,
): SourceSettings {
  return {
    protocol: values.protocol,
    startTls: values.startTls,
    host: values.host,
    port: values.port,
    connectUrl: values.connectUrl || null,
    // The mailbox to open: the first address for Graph/EWS, the login user for IMAP/POP.
    mailbox:
      values.protocol === "graph" || values.protocol === "ews"
        ? (values.emailAddresses[0] ?? values.username)
        : values.username,
    folder: values.folder,
    ca: extraCa(),
    proxy: config().httpsProxy,
    timeoutMs: 20_000,
  };
}

function rowValues(row: MailboxRow): MailboxFormValues {
  return {
    id: row.id,
    name: row.name,
    protocol: row.protocol as IncomingProtocol,
    startTls: row.startTls,
    authType: row.authType as "oauth" | "password",
    host: row.host,
    port: row.port,
    connectUrl: row.connectUrl ?? "",
    username: row.username,
    password: "",
    emailAddresses: JSON.parse(row.emailAddresses) as string[],
    folder: row.folder,
    afterFetch: row.afterFetch as AfterFetchAction,
    moveToFolder: row.moveToFolder ?? "",
    fetchIntervalMin: row.fetchIntervalMin,
    debug: row.debug,
    disableNewRequests: row.disableNewRequests,
  };
}

/**
 * Password (typed, else stored) or the mailbox's OAuth connection. A stored secret goes only to the server it
 * was saved for: with a changed server the password must be typed again, and the OAuth token waits for a
 * Save (which asks for a fresh consent).
 */
function authOf(values: MailboxFormValues, stored: MailboxRow | null): SourceAuth {
  if (values.authType === "password")
    return { type: "password", user: values.username, password: passwordFor(values, stored) };
  const connectionId = stored?.connectionId;
  if (!connectionId)
    throw new UserFacingError("Save the mailbox and sign in (OAuth consent) first.", { field: "authType" });
  if (serverChanged(values, stored)) {
    throw new UserFacingError(
      "The server changed: save the mailbox and sign in again before its OAuth token is sent to the new server.",
      {
        field: serverField(values),
      },
    );
  }
  return oauthAuth(connectionId, values.username);
}

/** The adapter for the values: EWS with an app-only grant impersonates the mailbox. */
async function sourceFor(values: MailboxFormValues, stored: MailboxRow | null) {
  const settings = settingsOf(values);
  if (values.protocol === "ews" && values.authType === "oauth")
    settings.impersonate = await isAppOnly(stored?.connectionId);
  return createSource(settings, authOf(values, stored));
}

export async function saveMailbox(
  values: MailboxFormValues,
  userId: string,
): Promise<{ id: string; connectionId: string | null; needsConsent: boolean }> {
  const existing = values.id ? await db().incomingMailbox.findUnique({ where: { id: values.id } }) : null;
  if (values.id && !existing) throw new UserFacingError("This mailbox no longer exists.");
  let connectionId = existing?.connectionId ?? null;
  let needsConsent = false;
  const movedServer = serverChanged(values, existing);
  // A blank password keeps the stored one only for the server it was saved for (passwordFor refuses otherwise).
  if (values.authType === "password" && !values.password && existing?.password && movedServer)
    passwordFor(values, existing);
  let abandoned: string | null = null;
  if (values.authType === "oauth") {
    if (!values.oauth) throw new UserFacingError("Fill in the OAuth fields.", { field: "oauth" });
    // The old grant's tokens never go to a changed server: the mailbox gets a connection of its own, which a
    // fresh consent (or, for grants without one, the secret typed again) fills.
    if (movedServer && connectionId) {
      requireRetypedGrantSecret(values.oauth);
      abandoned = connectionId;
      connectionId = null;
    }
    const saved = await saveMailboxOAuth(values.oauth, {
      userId,
      existingConnectionId: connectionId,
      mailbox: values.emailAddresses[0] ?? values.username,
      fresh: abandoned !== null,
    });
    connectionId = saved.connectionId;
    needsConsent = saved.needsConsent;
  }
  const data = {
    name: values.name,
    protocol: values.protocol,
    startTls:
      values.protocol === "imap" || values.protocol === "pop"
        ? values.startTls
        : values.protocol === "imaps" || values.protocol === "pops",
    authType: values.authType,
    host: values.host,
    port: values.port,
    connectUrl: values.connectUrl || null,
    username: values.username,
    emailAddresses: JSON.stringify(values.emailAddresses),
    folder: values.folder,
    afterFetch: values.afterFetch,
    moveToFolder: values.afterFetch === "move" ? values.moveToFolder : null,
    fetchIntervalMin: values.fetchIntervalMin,
    debug: values.debug,
    disableNewRequests: values.disableNewRequests,
    connectionId: values.authType === "oauth" ? connectionId : (existing?.connectionId ?? null),
    // A blank password keeps the stored one; switching to OAuth forgets it.
    ...(values.authType === "password" ? (values.password ? { password: values.password } : {}) : { password: null }),
  };
  const row = existing
    ? await db().incomingMailbox.update({ where: { id: existing.id }, data })
    : await db().incomingMailbox.create({ data });
  if (abandoned) await forgetMailboxOAuth(abandoned);
  return { id: row.id, connectionId, needsConsent };
}

async function recordRun(input: {
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
  const settings = settingsOf(values);
  let connecting: Promise<IncomingSession> | undefined;
  try {
    const source = await sourceFor(values, row);
    try {
      await withDeadline(opts.deadlineMs ?? OPERATION_DEADLINE_MS, "Checking the connection", async () => {
        connecting = source.connect({ steps, transcript });
        await (await connecting).openFolder(settings.folder, { readOnly: true });
      });
    } finally {
      closeWhenOpen(connecting);
    }
    const server = settings.connectUrl ? new URL(settings.connectUrl).host : settings.host;
    result = { ok: true, message: `Connected to ${server} as ${values.username}`, steps: steps.steps, runId: "" };
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
  const source = await sourceFor(values, stored);
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

export async function listRuns(opts: { mailboxId?: string; take?: number } = {}) {
  return db().fetchRun.findMany({
    where: opts.mailboxId ? { mailboxId: opts.mailboxId } : {},
    orderBy: { startedAt: "desc" },
    take: opts.take ?? 50,
    select: {
      id: true,
      mailboxId: true,
      kind: true,
      startedAt: true,
      finishedAt: true,
      ok: true,
      steps: true,
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

/** Deletes a mailbox with its fetch history; its OAuth connection goes too (tokens revoked) unless shared. */
export async function deleteMailbox(id: string): Promise<void> {
  const row = await db().incomingMailbox.findUnique({ where: { id }, select: { connectionId: true } });
  if (!row) throw new UserFacingError("This mailbox no longer exists.");
  await db().incomingMailbox.delete({ where: { id } });
  if (row.connectionId) await forgetMailboxOAuth(row.connectionId);
}

/** The adapter for a stored mailbox, built exactly as the connection check and the sample fetch build it. */
export async function sourceForMailbox(row: MailboxRow) {
  return sourceFor(rowValues(row), row);
}

export { recordRun };
