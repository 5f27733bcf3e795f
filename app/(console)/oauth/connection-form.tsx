"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, useTransition } from "react";
import { ConsentOutcomeView, ConsentResultBanner } from "@/app/_components/oauth/consent-result-banner";
import {
  emptyOAuthFields,
  OAuthFields,
  oauthFieldsFromEdit,
  type OAuthFieldsState,
} from "@/app/_components/oauth/oauth-fields";
import { openConsent } from "@/app/_components/oauth/open-consent";
import { ReadOnlyNotice } from "@/app/_components/read-only-notice";
import type { Hint } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import type { ApplicationChoice } from "@/lib/oauth";
import { fieldErrorsOf } from "@/lib/forms";
import { oauthFieldsSchema, type OAuthFieldsForEdit } from "@/lib/oauth/client";
import type { ConsentOutcome } from "@/lib/oauth/client";
import { discardPendingChangeAction, saveConnectionAction } from "./actions";
import { HintNote } from "@/app/_components/hint-note";

type Outcome =
  | { kind: "consent"; outcome: ConsentOutcome }
  | { kind: "token"; expiresAt: string }
  | { kind: "error"; error: string; hint?: Hint; raw?: string }
  | null;

/** A standalone OAuth connection: save, then consent in the popup (or obtain a token for app grants). */
export function ConnectionForm({
  stored,
  applications,
  redirectUrl,
  readOnly,
}: {
  stored: OAuthFieldsForEdit | null;
  applications: ApplicationChoice[];
  redirectUrl: string;
  readOnly: boolean;
}) {
  const [value, setValue] = useState<OAuthFieldsState>(() =>
    stored ? oauthFieldsFromEdit(stored) : emptyOAuthFields("generic"),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);

  function save() {
    const parsed = oauthFieldsSchema.safeParse(value);
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error));
      return setOutcome({ kind: "error", error: "Please correct the highlighted fields." });
    }
    setErrors({});
    startTransition(async () => {
      setOutcome(null);
      const saved = await saveConnectionAction(value);
      if (!saved.ok) {
        setErrors(saved.fieldErrors ?? {});
        return setOutcome({ kind: "error", error: saved.error, hint: saved.hint, raw: saved.raw });
      }
      const { connectionId, needsConsent, token } = saved.data;
      setValue((v) => ({ ...v, connectionId, clientSecret: "", privateKey: "", password: "", refreshToken: "" }));
      if (!stored) window.history.replaceState(null, "", `/oauth/${connectionId}`);
      if (needsConsent)
        return setOutcome({
          kind: "consent",
          outcome: await openConsent(connectionId, { returnTo: `/oauth/${connectionId}` }),
        });
      if (token) return setOutcome({ kind: "token", expiresAt: token.expiresAt });
      setOutcome({ kind: "consent", outcome: { ok: true, connectionId } });
    });
  }

  const discard = () =>
    startTransition(async () => {
      if (!stored) return;
      const result = await discardPendingChangeAction({ connectionId: stored.connectionId });
      if (!result.ok) return setOutcome({ kind: "error", error: result.error });
      window.location.reload();
    });

  return (
    <form
      method="post"
      className="form card"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      aria-busy={pending}
    >
      <ConsentResultBanner />
      {readOnly && <ReadOnlyNotice />}
      <fieldset className="fieldset" disabled={readOnly || busy}>
        <legend>OAuth connection</legend>
        <OAuthFields
          value={value}
          onChange={setValue}
          errors={errors}
          redirectUrl={redirectUrl}
          stored={stored}
          showMailbox
          applications={applications}
        />
      </fieldset>
      {!readOnly && (
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save
          </button>
          {stored?.pendingChange && (
            <button type="button" className="btn btn-secondary" disabled={busy} onClick={discard}>
              Discard the waiting change
            </button>
          )}
        </div>
      )}
      {pending && (
        <p className="muted" role="status">
          Working…
        </p>
      )}
      {outcome?.kind === "consent" && (
        <ConsentOutcomeView
          outcome={outcome.outcome}
          returnTo={value.connectionId ? `/oauth/${value.connectionId}` : undefined}
        />
      )}
      {outcome?.kind === "token" && (
        <div className="alert alert-success" role="status">
          Connected: the provider issued an access token (valid until {formatDateTime(outcome.expiresAt)}).
        </div>
      )}
      {outcome?.kind === "error" && (
        <div className="stack">
          <div className="alert alert-error" role="alert">
            {outcome.error}
            {outcome.raw ? ` (${outcome.raw})` : ""}
          </div>
          {outcome.hint && <HintNote hint={outcome.hint} />}
        </div>
      )}
    </form>
  );
}
