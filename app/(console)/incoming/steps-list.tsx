import type { Hint } from "@/lib/errors";
import { visibleName } from "@/lib/mail/display/client";
import { HintNote } from "@/app/_components/hint-note";

export type StepView = { name: string; ms: number; ok: boolean; detail?: string };

/**
 * The connection steps with their times; the failing one with the server's reply and the hint. Details and
 * replies are the server's text (folder names, for one): hidden characters in them are made visible.
 */
export function StepsList({ steps, raw, hint }: { steps: StepView[]; raw?: string; hint?: Hint | null }) {
  return (
    <div className="stack">
      <ol className="steps" aria-label="Connection steps">
        {steps.map((step, index) => (
          <li key={index} className={step.ok ? "step-ok" : "step-fail"}>
            <strong>{step.name}</strong> — {step.ok ? "ok" : "failed"} ({step.ms} ms)
            {step.detail ? `: ${visibleName(step.detail)}` : ""}
          </li>
        ))}
      </ol>
      {raw && (
        <p>
          Server reply: <code>{visibleName(raw)}</code>
        </p>
      )}
      {hint && <HintNote hint={hint} />}
    </div>
  );
}
