import "server-only";
// How the callback answers the browser: in the popup, a tiny page that tells the opener (postMessage
// restricted to our own origin) and closes; in redirect mode, a redirect back to the settings page with the
// outcome in the query. Everything shown is escaped; the payload is JSON with "<" escaped inside the script.
import { config } from "@/lib/config";
import type { AuthorizationResult } from "./authorization";
import { queryCode } from "./consent-codes";
import { CONSENT_MESSAGE_TYPE, type ConsentIdentity, type ConsentOutcome } from "./consent-outcome";
import { safeReturnPath } from "./return-path";

export function outcomeOf(result: AuthorizationResult): ConsentOutcome {
  return result.ok
    ? { ok: true, connectionId: result.connectionId, ...(result.identity ? { identity: result.identity } : {}) }
    : { ok: false, error: result.error, code: result.code, hint: result.hint, connectionId: result.connectionId };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The nonce the proxy's Content-Security-Policy allows inline scripts with (it passes the policy on in the request). */
export function scriptNonce(headers: Headers): string | null {
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(headers.get("content-security-policy") ?? "")?.[1] ?? null;
}

function identityText(identity: ConsentIdentity | undefined) {
  if (!identity) return "";
  if (!identity.signedInAs)
    return `; which account signed in could not be checked (the provider named none), this mailbox is ${identity.mailbox}`;
  return ` as ${identity.signedInAs}, but this mailbox is ${identity.mailbox}`;
}

export function popupResponse(outcome: ConsentOutcome, nonce: string | null = null): Response {
  const origin = new URL(config().publicUrl).origin;
  const payload = JSON.stringify({ type: CONSENT_MESSAGE_TYPE, ...outcome }).replace(/</g, "\\u003c");
  const text = outcome.ok
    ? `Signed in${identityText(outcome.identity)}. You can close this window.`
    : `${outcome.error}${outcome.hint ? ` ${outcome.hint.title}. ${outcome.hint.action}` : ""}`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Mailbridge sign-in</title></head><body>
<p role="${outcome.ok ? "status" : "alert"}">${escapeHtml(text)}</p>
<script${nonce ? ` nonce="${escapeHtml(nonce)}"` : ""}>(function(){var m=${payload};try{if(window.opener){window.opener.postMessage(m,${JSON.stringify(origin)});window.close();}}catch(e){}})();</script>
</body></html>`;
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    },
  });
}

/** Back to the settings page with only a code: the page shows its own text for it (consent-codes.ts). */
export function redirectResponse(returnTo: string, outcome: ConsentOutcome): Response {
  const target = new URL(safeReturnPath(returnTo, config().publicUrl), config().publicUrl);
  target.searchParams.set("oauth", outcome.ok ? "success" : "error");
  if (!outcome.ok) target.searchParams.set("oauth_code", queryCode(outcome.code));
  else if (outcome.identity) target.searchParams.set("oauth_code", "identity_mismatch");
  if (outcome.connectionId) target.searchParams.set("oauth_connection", outcome.connectionId);
  return new Response(null, {
    status: 303,
    headers: { location: target.toString(), "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}
