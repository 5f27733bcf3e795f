// "Fetch a sample mail": connect with the given settings, open the folder read-only, read the oldest mail and
// show it — without changing anything on the server (IMAP EXAMINE + BODY.PEEK, POP3 TOP (never RETR, which marks read),
// Graph/EWS GET-style calls only). Every step is timed; a failure names its step, the reply and a hint.
import type { Hint } from "@/lib/errors";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { previewMail, type MailPreview } from "./mail-preview";
import { captureStart, PREVIEW_MAX_BYTES, PREVIEW_WAIT_MS, previewSlots } from "./preview-capture";
import type { IncomingSession, IncomingSource, ListedMessage } from "./source";
import { MailStepError, StepRecorder, type Step } from "./steps";

export type SampleFetchResult =
  | { ok: true; steps: Step[]; mail: MailPreview | null; folder: string }
  | { ok: false; steps: Step[]; failedStep: string; error: string; raw?: string; hint?: Hint | null };

export async function sampleFetch(
  source: IncomingSource,
  opts: { transcript?: TranscriptRecorder } = {},
): Promise<SampleFetchResult> {
  const steps = new StepRecorder((text) => opts.transcript?.redactor.redact(text) ?? text);
  let session: IncomingSession | null = null;
  try {
    session = await source.connect({ steps, transcript: opts.transcript });
    await session.openFolder(source.settings.folder, { readOnly: true });
    const oldest = await session.oldest();
    if (!oldest) {
      steps.record("fetch", true, 0, "the folder is empty");
      return { ok: true, steps: steps.steps, mail: null, folder: source.settings.folder };
    }
    const release = await previewSlots.acquire(PREVIEW_WAIT_MS).catch((error: unknown) => {
      throw steps.fail("fetch", error);
    });
    try {
      const mail = await previewOf(session, oldest, steps);
      return { ok: true, steps: steps.steps, mail, folder: source.settings.folder };
    } finally {
      release();
    }
  } catch (error) {
    const failure = error instanceof MailStepError ? error : steps.fail("fetch", error);
    return {
      ok: false,
      steps: steps.steps,
      failedStep: failure.step,
      error: failure.message,
      raw: failure.raw,
      hint: failure.hint,
    };
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/** Reads the first PREVIEW_MAX_BYTES of the message (the rest is left unread) and parses what was read. */
async function previewOf(session: IncomingSession, message: ListedMessage, steps: StepRecorder): Promise<MailPreview> {
  const raw = await session.fetchRaw(message.id, { maxBytes: PREVIEW_MAX_BYTES });
  const started = performance.now();
  const captured = await captureStart(raw);
  if (captured.interrupted && captured.raw.length === 0) {
    throw steps.fail(
      "fetch",
      new MailStepError(
        "fetch",
        "The connection ended before any of the message arrived.",
        captured.interrupted.message,
      ),
      performance.now() - started,
    );
  }
  const mail = await previewMail({
    raw: captured.raw,
    truncated: captured.truncated,
    interrupted: captured.interrupted?.message,
    size: message.size,
  }).catch((error: unknown) => {
    throw steps.fail("fetch", error, performance.now() - started);
  });
  const detail =
    mail.bytesRead < mail.size
      ? `parsed the first ${mail.bytesRead} of ${mail.size} bytes`
      : `parsed ${mail.size} bytes`;
  steps.record("fetch", true, performance.now() - started, detail);
  return mail;
}
