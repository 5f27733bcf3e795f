"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { Hint } from "@/lib/errors";
import { testMailSchema } from "@/lib/mail/outgoing/client";
import { sendTestMailAction } from "./actions";
import { CheckOutcome, type Outcome } from "./check-outcome";

/** "Send test mail" to an address the administrator types, through the outbox, with every step shown. */
export function TestMail() {
  const [to, setTo] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const router = useRouter();

  function send() {
    const parsed = testMailSchema.safeParse({ to });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? "Enter an address");
    setError(null);
    startTransition(async () => {
      setOutcome(null);
      const result = await sendTestMailAction(parsed.data);
      if (!result.ok) return setOutcome({ kind: "failure", message: result.error, hint: result.hint, raw: result.raw });
      const r = result.data;
      setOutcome(
        r.ok
          ? { kind: "success", message: r.message, steps: r.steps, skipped: r.skipped }
          : {
              kind: "failure",
              message: `The test mail failed at the step "${r.failedStep}": ${r.error}`,
              steps: r.steps,
              raw: r.raw,
              hint: r.hint as Hint | null,
              skipped: r.skipped,
              alternateNotTried: r.alternateNotTried,
            },
      );
      router.refresh();
    });
  }

  return (
    <form
      method="post"
      className="form card"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      aria-busy={pending}
      aria-label="Send test mail"
    >
      <div className="field">
        <label htmlFor="testTo">Send a test mail to</label>
        <input id="testTo" type="email" value={to} onChange={(e) => setTo(e.target.value)} disabled={busy} />
        {error && <p className="field-error">{error}</p>}
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-secondary" disabled={busy}>
          Send test mail
        </button>
      </div>
      {pending && (
        <p className="muted" role="status">
          Sending…
        </p>
      )}
      <CheckOutcome outcome={outcome} />
    </form>
  );
}
