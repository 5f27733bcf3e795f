"use client";
import { useEffect, useState } from "react";
import { consentCodeMessage } from "@/lib/oauth/client";
import type { ConsentOutcome } from "@/lib/oauth/client";
import { consentStatusAction } from "./actions";
import { IdentityNotice } from "./identity-notice";
import { HintNote } from "@/app/_components/hint-note";

/**
 * After the redirect fallback (popup blocked) the settings page is loaded with the consent outcome's code in
 * its query. This shows the text for that code (never text from the query), removes it from the address bar,
 * and hands a success to `onSuccess`. A consent by another account is looked up on the server.
 */
export function ConsentResultBanner({ onSuccess }: { onSuccess?: () => void }) {
  const [outcome, setOutcome] = useState<ConsentOutcome | null>(null);
  useEffect(() => {
    const url = new URL(window.location.href);
    const state = url.searchParams.get("oauth");
    if (state !== "success" && state !== "error") return;
    const code = url.searchParams.get("oauth_code");
    const connectionId = url.searchParams.get("oauth_connection") ?? undefined;
    for (const key of ["oauth", "oauth_code", "oauth_connection"]) url.searchParams.delete(key);
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    if (state === "error")
      return setOutcome({ ok: false, code: code ?? "unknown", connectionId, ...consentCodeMessage(code) });
    if (code === "identity_mismatch" && connectionId) {
      void consentStatusAction({ connectionId }).then((status) =>
        setOutcome({ ok: true, connectionId, identity: status.ok ? (status.data.identity ?? undefined) : undefined }),
      );
    } else setOutcome({ ok: true, connectionId });
    onSuccess?.();
    // Runs once per page load: the query is consumed above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!outcome || (outcome.ok && !outcome.identity && onSuccess)) return null;
  return <ConsentOutcomeView outcome={outcome} />;
}

export function ConsentOutcomeView({
  outcome,
  returnTo,
  onRetried,
}: {
  outcome: ConsentOutcome;
  returnTo?: string;
  onRetried?: (next: ConsentOutcome) => void;
}) {
  if (outcome.ok) {
    return (
      <div className="stack">
        <div className="alert alert-success" role="status">
          Signed in: the provider issued tokens for this connection.
        </div>
        {outcome.identity && outcome.connectionId && (
          <IdentityNotice
            identity={outcome.identity}
            connectionId={outcome.connectionId}
            returnTo={returnTo}
            onRetried={onRetried}
          />
        )}
      </div>
    );
  }
  return (
    <div className="stack">
      <div className="alert alert-error" role="alert">
        {outcome.error}
      </div>
      {outcome.hint && <HintNote hint={outcome.hint} />}
    </div>
  );
}
