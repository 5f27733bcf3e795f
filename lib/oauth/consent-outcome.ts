// What the consent popup tells the page that opened it (shared by the callback and the browser).
import type { Hint } from "@/lib/errors";

export const CONSENT_MESSAGE_TYPE = "mailbridge:oauth-consent";

export type ConsentOutcome = { ok: true; connectionId?: string } | { ok: false; error: string; code: string; hint?: Hint; connectionId?: string };
