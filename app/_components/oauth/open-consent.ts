"use client";
import { CONSENT_MESSAGE_TYPE, type ConsentOutcome } from "@/lib/oauth/client";
import { consentStatusAction } from "./actions";

function startUrl(connectionId: string, mode: "popup" | "redirect", returnTo: string, switchAccount?: boolean): string {
  return `/api/oauth/start?${new URLSearchParams({ connectionId, mode, returnTo, ...(switchAccount ? { switchAccount: "1" } : {}) })}`;
}

/**
 * Opens the provider's consent in a popup and resolves with its outcome. When the browser blocks popups the
 * same flow runs as a full-page redirect that comes back to `returnTo` (the promise then never resolves).
 */
export function openConsent(
  connectionId: string,
  opts: { returnTo: string; switchAccount?: boolean },
): Promise<ConsentOutcome> {
  const popup = window.open(
    startUrl(connectionId, "popup", opts.returnTo, opts.switchAccount),
    "mailbridge-consent",
    "popup,width=560,height=720",
  );
  if (!popup) {
    window.location.assign(startUrl(connectionId, "redirect", opts.returnTo, opts.switchAccount));
    return new Promise(() => undefined);
  }
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ConsentOutcome) => {
      if (settled) return;
      settled = true;
      window.removeEventListener("message", onMessage);
      clearInterval(watcher);
      resolve(outcome);
    };
    function onMessage(event: MessageEvent) {
      if (event.origin !== window.location.origin || event.source !== popup) return;
      const data = event.data as { type?: string } & ConsentOutcome;
      if (data?.type !== CONSENT_MESSAGE_TYPE) return;
      const { type: _type, ...outcome } = data;
      finish(outcome as ConsentOutcome);
    }
    window.addEventListener("message", onMessage);
    // A popup closed without a message: ask the server whether the sign-in completed anyway.
    const watcher = setInterval(async () => {
      if (!popup.closed || settled) return;
      clearInterval(watcher);
      await new Promise((r) => setTimeout(r, 300));
      if (settled) return;
      const status = await consentStatusAction({ connectionId });
      const fresh =
        status.ok &&
        status.data.status === "connected" &&
        status.data.updatedAt &&
        Date.parse(status.data.updatedAt) >= startedAt;
      finish(
        fresh
          ? { ok: true, connectionId, identity: (status.ok && status.data.identity) || undefined }
          : { ok: false, code: "popup_closed", error: "The sign-in window was closed before the sign-in finished." },
      );
    }, 400);
  });
}
