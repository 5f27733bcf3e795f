import type { Hint } from "@/lib/errors";
import { GUIDE_ANCHORS } from "./guide-anchors";

export type OAuthErrorBody = { error?: string; error_description?: string; error_codes?: number[] };

const AADSTS: Record<number, Omit<Hint, "code">> = {
  50076: {
    title: "Multi-factor authentication is required",
    action:
      "The tenant requires MFA for this sign-in. Use the interactive (authorization code) grant instead of ROPC, or exclude this account from the MFA policy.",
  },
  65001: {
    title: "Consent has not been granted",
    action:
      "An administrator must grant consent for the app's permissions (Azure portal → App registrations → API permissions → Grant admin consent), then press Reconnect.",
    guideStep: GUIDE_ANCHORS.adminConsent,
  },
  700016: {
    title: "Application not found in the directory",
    action: "Check the Client ID and the Tenant: the app must be registered in (or consented to by) this tenant.",
  },
  7000215: {
    title: "Invalid client secret",
    action: "Enter the secret's Value (not its Secret ID) from Azure → Certificates & secrets, and save.",
  },
  7000222: {
    title: "The client secret has expired",
    action:
      "Create a new client secret in Azure, enter it on the OAuth application and save: every connection using the application picks it up.",
  },
  700082: {
    title: "The refresh token expired after 90 days without use",
    action:
      "Press Reconnect to sign in again. Mailbridge refreshes tokens while the mailbox is fetched, so keep fetching enabled.",
  },
  50011: {
    title: "Redirect URI mismatch",
    action:
      "Register the Redirect URL shown on this page exactly (scheme, host, port and path) under Azure → Authentication → Web.",
  },
  53003: {
    title: "Blocked by Conditional Access",
    action:
      "A Conditional Access policy blocked the sign-in. Ask the tenant administrator to allow this app or location.",
  },
  700022: {
    title: "Invalid scope for this grant",
    action:
      "App-only (client credentials) needs a scope ending in /.default, e.g. https://outlook.office365.com/.default.",
  },
  70008: { title: "The grant has expired or was revoked", action: "Press Reconnect to sign in and consent again." },
  50173: {
    title: "The grant was revoked (password changed or sessions revoked)",
    action: "Press Reconnect to sign in again.",
  },
  70000: { title: "The grant is invalid or malformed", action: "Press Reconnect to obtain a new grant." },
  50126: { title: "Wrong user name or password", action: "Check the user name and password of the ROPC grant." },
};

const STANDARD: Record<string, Omit<Hint, "code">> = {
  access_denied: {
    title: "Consent was denied",
    action: "The sign-in was cancelled or consent refused. Press Reconnect and approve the requested permissions.",
  },
  invalid_client: {
    title: "The provider did not accept the client credentials",
    action: "Check the Client ID, the Client Secret and the Client authentication method.",
  },
  unauthorized_client: {
    title: "This client may not use this grant",
    action: "Enable the grant type for the app at the provider, or pick the grant the app is registered for.",
  },
  invalid_scope: {
    title: "A requested scope is not valid",
    action: "Check the Scope field against the provider's documentation (one resource per token for Microsoft).",
  },
  redirect_uri_mismatch: {
    title: "Redirect URI mismatch",
    action: "Register the Redirect URL shown on this page exactly at the provider.",
  },
  invalid_request: {
    title: "The provider rejected the request",
    action: "Check the Authorize URL, Access Token URL and Scope.",
  },
};

/**
 * What an administrator should know about a token-endpoint or authorize error, or null when unknown
 * (the caller then shows the raw code and description, escaped).
 */
export function explainOAuthError(input: OAuthErrorBody | string): Hint | null {
  const body: OAuthErrorBody = typeof input === "string" ? { error_description: input } : input;
  const text = `${body.error ?? ""} ${body.error_description ?? ""}`;
  const code = body.error_codes?.[0] ?? Number(/AADSTS(\d+)/.exec(text)?.[1] ?? NaN);
  if (Number.isFinite(code) && AADSTS[code]) return { code: `AADSTS${code}`, ...AADSTS[code] };
  if (body.error === "invalid_grant" || /invalid_grant/.test(text)) {
    if (/expired or revoked/i.test(text)) {
      return {
        code: "google.invalid_grant",
        title: "Google: the refresh token was revoked or has expired",
        action:
          'Press Reconnect. If it happens after 7 days, the Google app is in "Testing": publish it to "In production". It also happens when the password changed or access was removed at myaccount.google.com/permissions.',
      };
    }
    return {
      code: "invalid_grant",
      title: "The grant is no longer valid",
      action: "Press Reconnect to sign in and consent again.",
    };
  }
  if (/534-?5\.7\.9/.test(text)) {
    return {
      code: "google.534-5.7.9",
      title: "Google requires an app password or OAuth",
      action: "Use the Google / Gmail preset with OAuth instead of the password.",
    };
  }
  if (body.error && STANDARD[body.error]) return { code: body.error, ...STANDARD[body.error] };
  return null;
}

/** AADSTS codes and errors that mean the grant itself is gone: only a new consent repairs them. */
export function isGrantGone(input: OAuthErrorBody): boolean {
  const code = input.error_codes?.[0] ?? Number(/AADSTS(\d+)/.exec(input.error_description ?? "")?.[1] ?? NaN);
  return input.error === "invalid_grant" || [70008, 50173, 700082, 65001, 70000].includes(code);
}
