// The connection steps of one attempt (resolve, connect, TLS, authenticate, open folder, fetch, send), each with its
// duration and outcome, so the console can show where a connection failed and what the server said.
import type { Hint } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";
import { explainMailError } from "@/lib/mail/error-hints";

export const STEP_NAMES = [
  "prepare",
  "token",
  "resolve",
  "connect",
  "tls",
  "authenticate",
  "open folder",
  "list",
  "fetch",
  "after fetch",
  "send",
  "close",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type Step = { name: StepName; ms: number; ok: boolean; detail?: string };

/** A failure of one step, with the server's own words (redacted) and what they mean. */
export class MailStepError extends Error {
  constructor(
    readonly step: StepName,
    message: string,
    readonly raw?: string,
    readonly hint?: Hint | null,
    readonly code?: string,
  ) {
    super(message);
    this.name = "MailStepError";
  }
}

export type ErrorFacts = { message: string; raw?: string; code?: string };

/** What an error thrown by a socket, TLS, HTTP or protocol library tells us, without any secret. */
export function factsOf(error: unknown): ErrorFacts {
  if (error instanceof MailStepError) return { message: error.message, raw: error.raw, code: error.code };
  const e = error as {
    message?: unknown;
    code?: unknown;
    response?: unknown;
    responseText?: unknown;
    serverResponse?: unknown;
    oauthError?: unknown;
    authenticationFailed?: unknown;
  };
  let message = typeof e?.message === "string" ? e.message : String(error);
  let code = typeof e?.code === "string" ? e.code : undefined;
  // fetch reports a network failure as TypeError("fetch failed") with the socket's error as its cause.
  const cause = (error as { cause?: { message?: unknown; code?: unknown } } | null)?.cause;
  if (isFetchFailure(error) && cause) {
    if (typeof cause.message === "string") message = `${message}: ${cause.message}`;
    if (typeof cause.code === "string") code ??= cause.code;
  }
  // imapflow: `response` is the whole tagged line ("2 NO [AUTHENTICATIONFAILED] …"), `responseText` only its text.
  const line = [e?.response, e?.responseText, e?.serverResponse].find(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
  // A refused SASL token: the server's challenge (`+ <base64 JSON>`) names what it wanted, e.g. the scope.
  const challenge = e?.oauthError && typeof e.oauthError === "object" ? JSON.stringify(e.oauthError) : undefined;
  const raw =
    line && challenge
      ? `${line} (server's challenge: ${challenge})`
      : (line ?? (challenge ? `server's challenge: ${challenge}` : undefined));
  if (message === "Command failed" && line)
    message = `${e.authenticationFailed ? "the server refused the credentials" : "the server refused the command"}: ${line}`;
  return { message, raw, code };
}

const INTERNAL_ERRORS = new Set([
  "TypeError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "EvalError",
  "SecretDecryptError",
]);

function isFetchFailure(error: unknown): boolean {
  return error instanceof TypeError && error.message === "fetch failed" && error.cause !== undefined;
}

/** A failure of Mailbridge itself (database, decryption, a bug), not of the network or the server. */
export function isInternalError(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof MailStepError || isFetchFailure(error)) return false;
  return INTERNAL_ERRORS.has(error.name) || error.name.startsWith("PrismaClient");
}

/** A hint an error already carries (a UserFacingError from the OAuth token service, for example). */
function hintCarriedBy(error: unknown): Hint | null {
  const options = (error as { options?: { hint?: Hint } } | null)?.options;
  return options?.hint ?? null;
}

export class StepRecorder {
  readonly steps: Step[] = [];
  failure: MailStepError | null = null;

  constructor(private readonly redact: (text: string) => string = (text) => text) {}

  /** Runs one step; on failure records it and throws a MailStepError carrying the raw reply and a hint. */
  async run<T>(name: StepName, work: () => Promise<T>, describe?: (result: T) => string | undefined): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.record(name, true, performance.now() - started, describe?.(result));
      return result;
    } catch (error) {
      throw this.fail(name, error, performance.now() - started);
    }
  }

  record(name: StepName, ok: boolean, ms: number, detail?: string): void {
    this.steps.push({ name, ok, ms: Math.round(ms), ...(detail ? { detail: this.redact(detail) } : {}) });
  }

  /** Records `name` as failed (if not yet recorded) and returns the error to throw. */
  fail(name: StepName, error: unknown, ms = 0): MailStepError {
    if (error instanceof MailStepError && this.failure === error) return error;
    if (isInternalError(error)) {
      // Not the server's words: logged with an id, shown generically (its text may hold anything).
      const id = logUnexpected(`mail step "${name}"`, error);
      const failure = new MailStepError(
        name,
        `Something went wrong inside Mailbridge (error id ${id}); the details are in the server log.`,
        undefined,
        null,
        "EINTERNAL",
      );
      this.record(name, false, ms, failure.message);
      this.failure = failure;
      return failure;
    }
    const facts = factsOf(error);
    const stepName = error instanceof MailStepError ? error.step : name;
    const raw = facts.raw ? this.redact(facts.raw) : undefined;
    const message = this.redact(facts.message);
    const hint =
      error instanceof MailStepError && error.hint !== undefined
        ? error.hint
        : (hintCarriedBy(error) ?? explainMailError({ step: stepName, message, raw, code: facts.code }));
    const failure = new MailStepError(stepName, message, raw, hint, facts.code);
    this.record(stepName, false, ms, raw ?? message);
    this.failure = failure;
    return failure;
  }
}
