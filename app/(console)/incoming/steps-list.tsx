import type { Hint } from "@/lib/errors";

export type StepView = { name: string; ms: number; ok: boolean; detail?: string };

/** The connection steps with their times; the failing one with the server's reply and the hint. */
export function StepsList({ steps, raw, hint }: { steps: StepView[]; raw?: string; hint?: Hint | null }) {
  return (
    <div className="stack">
      <ol className="steps" aria-label="Connection steps">
        {steps.map((step, index) => (
          <li key={index} className={step.ok ? "step-ok" : "step-fail"}>
            <strong>{step.name}</strong> — {step.ok ? "ok" : "failed"} ({step.ms} ms){step.detail ? `: ${step.detail}` : ""}
          </li>
        ))}
      </ol>
      {raw && (
        <p>
          Server reply: <code>{raw}</code>
        </p>
      )}
      {hint && (
        <div className="alert alert-info" role="note">
          <strong>{hint.title}</strong>
          <p>{hint.action}</p>
        </div>
      )}
    </div>
  );
}
