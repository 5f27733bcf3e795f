// "Fetch a sample mail": connect with the given settings, open the folder read-only, read the oldest mail and
// show it — without changing anything on the server (IMAP EXAMINE + BODY.PEEK, POP3 TOP (never RETR, which marks read),
// Graph/EWS GET-style calls only). Every step is timed; a failure names its step, the reply and a hint.
import type { Hint } from "@/lib/errors";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { previewMail, type MailPreview } from "./mail-preview";
import type { IncomingSession, IncomingSource } from "./source";
import { MailStepError, StepRecorder, type Step } from "./steps";

export type SampleFetchResult =
  | { ok: true; steps: Step[]; mail: MailPreview | null; folder: string }
  | { ok: false; steps: Step[]; failedStep: string; error: string; raw?: string; hint?: Hint | null };

export async function sampleFetch(source: IncomingSource, opts: { transcript?: TranscriptRecorder } = {}): Promise<SampleFetchResult> {
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
    const raw = await session.fetchRaw(oldest.id);
    const started = performance.now();
    const mail = await previewMail(raw).catch((error: unknown) => {
      throw steps.fail("fetch", error, performance.now() - started);
    });
    steps.record("fetch", true, performance.now() - started, `parsed ${mail.size} bytes`);
    return { ok: true, steps: steps.steps, mail, folder: source.settings.folder };
  } catch (error) {
    const failure = error instanceof MailStepError ? error : steps.fail("fetch", error);
    return { ok: false, steps: steps.steps, failedStep: failure.step, error: failure.message, raw: failure.raw, hint: failure.hint };
  } finally {
    await session?.close().catch(() => undefined);
  }
}
