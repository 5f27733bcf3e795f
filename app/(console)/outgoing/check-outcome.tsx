"use client";
import { StepsList, type StepView } from "@/app/(console)/incoming/steps-list";
import type { Hint } from "@/lib/errors";

type Skipped = { server: string; error: string }[];

export type Outcome =
  | { kind: "success"; message: string; steps?: StepView[]; skipped?: Skipped }
  | {
      kind: "failure";
      message: string;
      steps?: StepView[];
      raw?: string;
      hint?: Hint | null;
      skipped?: Skipped;
      alternateNotTried?: string;
    }
  | null;

/** The result of a connection check or a test mail: the message, which server was skipped, the steps. */
export function CheckOutcome({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  const skipped = outcome.skipped?.length ? (
    <ul className="muted" aria-label="Servers not reached">
      {outcome.skipped.map((s, i) => (
        <li key={i}>
          {s.server} could not be reached ({s.error}); the alternate server was used.
        </li>
      ))}
    </ul>
  ) : null;
  if (outcome.kind === "success") {
    return (
      <div className="stack">
        <div className="alert alert-success" role="status">
          {outcome.message}
        </div>
        {skipped}
        {outcome.steps && <StepsList steps={outcome.steps} />}
      </div>
    );
  }
  return (
    <div className="stack">
      <div className="alert alert-error" role="alert">
        {outcome.message}
      </div>
      {skipped}
      {outcome.alternateNotTried && <p className="muted">{outcome.alternateNotTried}</p>}
      <StepsList steps={outcome.steps ?? []} raw={outcome.raw} hint={outcome.hint} />
    </div>
  );
}
