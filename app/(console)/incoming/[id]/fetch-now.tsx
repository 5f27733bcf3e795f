"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, useTransition } from "react";
import { fetchNowAction } from "../actions";

/** "Fetch now": runs the mailbox's fetch at once and says what it brought in. */
export function FetchNow({ id }: { id: string }) {
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  const run = () =>
    startTransition(async () => {
      setOutcome(null);
      const result = await fetchNowAction({ id });
      if (!result.ok) return setOutcome({ ok: false, message: result.error });
      const o = result.data;
      if (o.status === "ok")
        setOutcome({
          ok: true,
          message: `Fetched ${o.totals.stored} new mail(s): ${o.totals.requests} new request(s), ${o.totals.replies} repl${o.totals.replies === 1 ? "y" : "ies"}.`,
        });
      else if (o.status === "failed") setOutcome({ ok: false, message: `The fetch failed at "${o.step}": ${o.error}` });
      else
        setOutcome({
          ok: false,
          message: o.status === "skipped" ? o.reason : "The mailbox is being fetched right now.",
        });
    });
  return (
    <div className="actions">
      <button className="btn" type="button" onClick={run} disabled={busy}>
        {pending ? "Fetching…" : "Fetch now"}
      </button>
      {outcome && (
        <span role="status" className={outcome.ok ? "" : "field-error"}>
          {outcome.message}
        </span>
      )}
    </div>
  );
}
