// One attempt to verify the settings or send a message, with the step list and (debug) transcript, across the
// server and its alternate. Only an unreachable server (refused, timed out, not resolved, TLS failure) is left
// for the alternate: a refused sign-in or a refused message would be refused there too, so it is reported as is.
import type { Hint } from "@/lib/errors";
import { MailStepError, StepRecorder, type Step, type StepName } from "@/lib/mail/steps";
import { TranscriptRecorder } from "@/lib/mail/transcript";
import type { ComposedMessage, OutgoingTransport, SendOutcome } from "./transport";

const UNREACHABLE_STEPS: ReadonlySet<StepName> = new Set(["resolve", "connect", "tls"]);

export type AttemptFailure = {
  step: StepName;
  error: string;
  raw?: string;
  code?: string;
  hint: Hint | null;
  server: string;
  failover: boolean;
  /** why the alternate server was not tried, when there is one */
  alternateNotTried?: string;
};

export type AttemptResult =
  | {
      ok: true;
      steps: Step[];
      server: string;
      outcome: SendOutcome | null;
      skipped: AttemptFailure[];
      transcript: string | null;
    }
  | { ok: false; steps: Step[]; failure: AttemptFailure; skipped: AttemptFailure[]; transcript: string | null };

export type AttemptOptions = {
  /** refuse a message larger than this before any connection */
  maxBytes?: number | null;
  debug?: boolean;
  secrets?: (string | null | undefined)[];
  onSubmit?: () => Promise<void>;
};

function describeFailure(failure: MailStepError, server: string): AttemptFailure {
  return {
    step: failure.step,
    error: failure.message,
    raw: failure.raw,
    code: failure.code,
    hint: failure.hint ?? null,
    server,
    failover: UNREACHABLE_STEPS.has(failure.step),
  };
}

export const TOO_LARGE = "outgoing.too_large";

export function sizeLimitError(size: number, maxBytes: number): MailStepError {
  const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  return new MailStepError(
    "prepare",
    `The message is ${mb(size)} MB, larger than the Max Email Size of ${mb(maxBytes)} MB: it was not sent.`,
    undefined,
    {
      code: TOO_LARGE,
      title: "The message is larger than Max Email Size",
      action:
        "Send smaller attachments (or a link to them), or raise Max Email Size if the mail server accepts larger messages.",
    },
  );
}

export async function attempt(
  transports: OutgoingTransport[],
  message: ComposedMessage | null,
  opts: AttemptOptions = {},
): Promise<AttemptResult> {
  const transcript = opts.debug ? new TranscriptRecorder({ secrets: opts.secrets ?? [] }) : undefined;
  const steps = new StepRecorder((text) => transcript?.redactor.redact(text) ?? text);
  const skipped: AttemptFailure[] = [];
  const done = () => transcript?.text() ?? null;
  if (message && opts.maxBytes && message.raw.length > opts.maxBytes) {
    const failure = steps.fail("prepare", sizeLimitError(message.raw.length, opts.maxBytes));
    return {
      ok: false,
      steps: steps.steps,
      failure: { ...describeFailure(failure, ""), failover: false },
      skipped,
      transcript: done(),
    };
  }
  for (const [index, transport] of transports.entries()) {
    if (index > 0)
      transcript?.note(
        `${transports[index - 1].server} could not be reached: trying the alternate server ${transport.server}`,
      );
    try {
      if (message) {
        const outcome = await transport.send(message, { steps, transcript, onSubmit: opts.onSubmit });
        transcript?.note(`sent through ${outcome.server}${outcome.queueId ? `, queue id ${outcome.queueId}` : ""}`);
        return { ok: true, steps: steps.steps, server: outcome.server, outcome, skipped, transcript: done() };
      }
      await transport.verify({ steps, transcript });
      return { ok: true, steps: steps.steps, server: transport.server, outcome: null, skipped, transcript: done() };
    } catch (error) {
      const failure = describeFailure(
        error instanceof MailStepError ? error : steps.fail("connect", error),
        transport.server,
      );
      const last = index === transports.length - 1;
      if (!failure.failover && !last) {
        failure.alternateNotTried = `The alternate server ${transports[index + 1].server} was not tried: ${transport.server} answered and refused at the "${failure.step}" step, which the alternate would refuse as well.`;
        transcript?.note(failure.alternateNotTried);
      }
      if (!failure.failover || last) return { ok: false, steps: steps.steps, failure, skipped, transcript: done() };
      skipped.push(failure);
    }
  }
  throw new Error("no outgoing server is configured");
}
