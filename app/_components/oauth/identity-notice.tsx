"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, useTransition } from "react";
import type { ConsentIdentity, ConsentOutcome } from "@/lib/oauth/client";
import { openConsent } from "./open-consent";

/**
 * The consent was given by an account that is not the mailbox's, or by one the provider did not name. For a
 * shared mailbox that is right (a delegate signs in); otherwise the provider remembered someone else, and the
 * admin signs in again as the mailbox's user, with the provider asked to show its sign-in page.
 */
export function IdentityNotice({
  identity,
  connectionId,
  returnTo,
  onRetried,
}: {
  identity: ConsentIdentity;
  connectionId: string;
  returnTo?: string;
  onRetried?: (next: ConsentOutcome) => void;
}) {
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const [retried, setRetried] = useState<ConsentOutcome | null>(null);
  const signInAgain = () =>
    startTransition(async () => {
      const next = await openConsent(connectionId, {
        returnTo: returnTo ?? window.location.pathname,
        switchAccount: true,
      });
      setRetried(next);
      onRetried?.(next);
    });
  if (retried && !onRetried) {
    if (!retried.ok)
      return (
        <div className="alert alert-error" role="alert">
          {retried.error}
        </div>
      );
    if (retried.identity)
      return <IdentityNotice identity={retried.identity} connectionId={connectionId} returnTo={returnTo} />;
    return (
      <div className="alert alert-success" role="status">
        Signed in again: the tokens are now for this mailbox&apos;s account.
      </div>
    );
  }
  return (
    <div className="alert alert-warn stack" role="alert">
      {identity.signedInAs ? (
        <>
          <p>
            Signed in as <strong>{identity.signedInAs}</strong>, this mailbox is <strong>{identity.mailbox}</strong>.
          </p>
          <p>
            If {identity.signedInAs} may open this mailbox (a shared mailbox), nothing needs doing. Otherwise the
            provider used an account it remembered: sign in as the mailbox&apos;s user.
          </p>
        </>
      ) : (
        <>
          <p>
            Signed in, but which account could not be checked: the provider returned no ID token and no user
            information. This mailbox is <strong>{identity.mailbox}</strong>.
          </p>
          <p>
            If you signed in as {identity.mailbox} (or as a user who may open it), nothing needs doing. Otherwise sign
            in as the mailbox&apos;s user. Adding the <code>openid email</code> scopes lets Mailbridge check the
            account.
          </p>
        </>
      )}
      <div className="actions">
        <button type="button" className="btn btn-secondary" disabled={busy} onClick={signInAgain}>
          Sign in as someone else
        </button>
      </div>
    </div>
  );
}
