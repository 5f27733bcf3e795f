// What the consent popup tells the page that opened it (shared by the callback and the browser).
import type { Hint } from "@/lib/errors";

export const CONSENT_MESSAGE_TYPE = "mailbridge:oauth-consent";

/**
 * Signed in, but as someone whose name is not the mailbox's (a shared mailbox's delegate, or the wrong account),
 * or (signedInAs null) as an account the provider did not name: neither an ID token nor its userinfo said who.
 */
export type ConsentIdentity = { signedInAs: string | null; mailbox: string };

export type ConsentOutcome =
  | { ok: true; connectionId?: string; identity?: ConsentIdentity }
  | { ok: false; error: string; code: string; hint?: Hint; connectionId?: string };
