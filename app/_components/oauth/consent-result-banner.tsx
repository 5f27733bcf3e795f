"use client";
import { useEffect, useState } from "react";
import type { Hint } from "@/lib/errors";
import type { ConsentOutcome } from "@/lib/oauth/consent-outcome";

function parseHint(text: string | null): Hint | undefined {
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as Partial<Hint>;
    return typeof h.title === "string" && typeof h.action === "string" ? { code: String(h.code ?? ""), title: h.title, action: h.action } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After the redirect fallback (popup blocked) the settings page is loaded with the consent outcome in its
 * query. This shows it once, removes it from the address bar, and hands a success to `onSuccess`.
 */
export function ConsentResultBanner({ onSuccess }: { onSuccess?: () => void }) {
  const [outcome, setOutcome] = useState<ConsentOutcome | null>(null);
  useEffect(() => {
    const url = new URL(window.location.href);
    const state = url.searchParams.get("oauth");
    if (state !== "success" && state !== "error") return;
    const next: ConsentOutcome =
      state === "success"
        ? { ok: true }
        : { ok: false, code: "consent_failed", error: url.searchParams.get("oauth_error") ?? "The sign-in did not complete.", hint: parseHint(url.searchParams.get("oauth_hint")) };
    for (const key of ["oauth", "oauth_error", "oauth_hint"]) url.searchParams.delete(key);
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    setOutcome(next);
    if (next.ok) onSuccess?.();
    // Runs once per page load: the query is consumed above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!outcome || (outcome.ok && onSuccess)) return null;
  return <ConsentOutcomeView outcome={outcome} />;
}

export function ConsentOutcomeView({ outcome }: { outcome: ConsentOutcome }) {
  if (outcome.ok) return <div className="alert alert-success" role="status">Signed in: the provider issued tokens for this connection.</div>;
  return (
    <div className="stack">
      <div className="alert alert-error" role="alert">{outcome.error}</div>
      {outcome.hint && (
        <div className="alert alert-info" role="note">
          <strong>{outcome.hint.title}</strong>
          <p>{outcome.hint.action}</p>
        </div>
      )}
    </div>
  );
}
