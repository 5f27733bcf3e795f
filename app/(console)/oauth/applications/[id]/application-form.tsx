"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { OAuthFields, type OAuthFieldsState } from "@/app/_components/oauth/oauth-fields";
import { ReadOnlyNotice } from "@/app/_components/read-only-notice";
import type { ApplicationForEdit } from "@/lib/oauth";
import { applicationSchema } from "@/lib/oauth/client";
import type { GrantType } from "@/lib/oauth/client";
import { fieldErrorsOf } from "@/lib/forms";
import { saveApplicationAction } from "../../actions";

function initial(app: ApplicationForEdit): OAuthFieldsState {
  return {
    ...app,
    applicationId: app.applicationId,
    grantType: (app.connections[0]?.grantType as GrantType | undefined) ?? "authorization_code",
    clientSecret: "",
    privateKey: "",
    subject: "",
    password: "",
    refreshToken: "",
    loginHint: "",
    tokenExpiryMarginSec: String(app.tokenExpiryMarginSec),
  };
}

/** The application's own fields (secret, endpoints, default scope): the one place they are changed. */
export function ApplicationForm({
  stored,
  redirectUrl,
  readOnly,
}: {
  stored: ApplicationForEdit;
  redirectUrl: string;
  readOnly: boolean;
}) {
  const router = useRouter();
  const [value, setValue] = useState<OAuthFieldsState>(() => initial(stored));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const secrets = {
    hasClientSecret: stored.hasClientSecret,
    hasPrivateKey: stored.hasPrivateKey,
    hasPassword: false,
    hasRefreshToken: false,
    ...endpointsOf(stored),
  };

  function save() {
    const input = { ...value, applicationId: stored.applicationId };
    const parsed = applicationSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error));
      return setMessage({ ok: false, text: "Please correct the highlighted fields." });
    }
    setErrors({});
    startTransition(async () => {
      const saved = await saveApplicationAction(input);
      if (!saved.ok) {
        setErrors(saved.fieldErrors ?? {});
        return setMessage({ ok: false, text: saved.error });
      }
      setValue((v) => ({ ...v, clientSecret: "", privateKey: "" }));
      const reset = saved.data.connectionsReset;
      setMessage({
        ok: true,
        text: reset
          ? `Saved. The endpoints or the client changed: ${reset} connection${reset === 1 ? "" : "s"} must sign in again (Reconnect).`
          : "Saved for every connection of this application.",
      });
      router.refresh();
    });
  }

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
      {readOnly && <ReadOnlyNotice />}
      <fieldset className="fieldset" disabled={readOnly || busy}>
        <legend>Application</legend>
        <p className="field-help">
          A stored secret is only sent to the endpoints it was saved for: changing the Access Token, Revocation,
          Authorize or Issuer URL needs the secret typed again, and every connection then signs in again.
        </p>
        <OAuthFields
          value={value}
          onChange={setValue}
          errors={errors}
          redirectUrl={redirectUrl}
          stored={secrets}
          part="application"
          idPrefix="app"
        />
      </fieldset>
      {!readOnly && (
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save application
          </button>
        </div>
      )}
      {message && (
        <div className={`alert ${message.ok ? "alert-success" : "alert-error"}`} role={message.ok ? "status" : "alert"}>
          {message.text}
        </div>
      )}
    </form>
  );
}

function endpointsOf(app: ApplicationForEdit) {
  return {
    tokenUrl: app.tokenUrl,
    revocationUrl: app.revocationUrl,
    issuer: app.issuer,
    authorizeUrl: app.authorizeUrl,
  };
}
