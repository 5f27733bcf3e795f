"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { ConsentOutcomeView } from "@/app/_components/oauth/consent-result-banner";
import { openConsent } from "@/app/_components/oauth/open-consent";
import { formatDateTime } from "@/lib/format";
import type { ConsentOutcome } from "@/lib/oauth/client";
import { deleteConnectionAction, testConnectionAction } from "./actions";

/** Reconnect (a new consent), Test (obtain a token now) and Delete (revokes first) for one connection. */
export function ConnectionActions({
  connectionId,
  interactive,
  label,
  returnTo,
}: {
  connectionId: string;
  interactive: boolean;
  label: string;
  returnTo: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const [outcome, setOutcome] = useState<ConsentOutcome | { ok: true; text: string } | null>(null);

  const reconnect = () =>
    startTransition(async () => {
      const result = await openConsent(connectionId, { returnTo });
      setOutcome(result);
      router.refresh();
    });
  const test = () =>
    startTransition(async () => {
      const result = await testConnectionAction({ connectionId });
      setOutcome(
        result.ok
          ? { ok: true, text: `Token obtained, valid until ${formatDateTime(result.data.expiresAt)}.` }
          : { ok: false, code: "test_failed", error: result.error, hint: result.hint },
      );
      router.refresh();
    });
  const remove = () => {
    if (!window.confirm(`Delete the connection ${label}? Its tokens are revoked where the provider supports it.`))
      return;
    startTransition(async () => {
      const result = await deleteConnectionAction({ connectionId });
      if (!result.ok) return setOutcome({ ok: false, code: "delete_failed", error: result.error });
      if (returnTo !== "/oauth") router.push("/oauth");
      else router.refresh();
    });
  };

  return (
    <div className="stack">
      <div className="actions">
        {interactive && (
          <button type="button" className="btn btn-secondary" disabled={busy} onClick={reconnect}>
            Reconnect
          </button>
        )}
        <button type="button" className="btn btn-secondary" disabled={busy} onClick={test}>
          Test
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={remove}>
          Delete
        </button>
      </div>
      {outcome &&
        ("text" in outcome ? (
          <div className="alert alert-success" role="status">
            {outcome.text}
          </div>
        ) : (
          <ConsentOutcomeView outcome={outcome} returnTo={returnTo} />
        ))}
    </div>
  );
}
