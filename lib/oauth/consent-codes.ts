// What the settings page shows after the full-page consent (popup blocked): only a code travels in the query,
// and only texts of this list are shown for it. Text in a query parameter is anybody's: a link could carry any.
import type { Hint } from "@/lib/errors";
import { explainOAuthError } from "./error-catalogue";

const KEPT = "The previous settings and tokens of this connection are kept.";

const MESSAGES: Record<string, string> = {
  state_missing: "The sign-in response carried no state. Start again from the settings page.",
  state_invalid: "This sign-in link is not valid or was already used. Start again from the settings page.",
  state_expired: "The sign-in took longer than 10 minutes. Start again.",
  state_foreign: "This sign-in was started in another administrator's session.",
  issuer_mismatch: `The response did not come from the configured issuer (mix-up attack protection, RFC 9207). ${KEPT}`,
  code_missing: "The sign-in response carried no authorization code.",
  nonce_mismatch: `The ID token does not carry the nonce of this sign-in. Start again. ${KEPT}`,
  token_unreachable: `The Access Token URL could not be reached. ${KEPT}`,
  token_request_failed: `The token endpoint did not answer as an OAuth server. ${KEPT}`,
  application_gone: "The OAuth application chosen for this connection no longer exists. Save the settings again.",
  start_failed: "The sign-in could not be started. Open the connection and check its settings.",
  access_denied: `The sign-in was cancelled or consent refused. ${KEPT}`,
  invalid_grant: `The token endpoint refused the sign-in code. ${KEPT}`,
  invalid_client: `The provider did not accept the client credentials. ${KEPT}`,
  unexpected: "Something went wrong while finishing the sign-in. The error was logged.",
};

const CODE = /^[a-z0-9_.]{1,64}$/;

/** The code to put in the query, or "unexpected" for anything unusual. */
export const queryCode = (code: string): string => (CODE.test(code) ? code : "unexpected");

/** The text and hint shown for a code from the query; an unknown code gets a generic text. */
export function consentCodeMessage(code: string | null): { error: string; hint?: Hint } {
  const known = code && Object.hasOwn(MESSAGES, code) ? MESSAGES[code] : null;
  const hint = code && CODE.test(code) ? (explainOAuthError({ error: code }) ?? undefined) : undefined;
  return {
    error: known ?? `The sign-in did not complete${code && CODE.test(code) ? ` (${code})` : ""}. ${KEPT}`,
    hint,
  };
}
