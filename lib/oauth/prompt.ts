// The authorize request's prompt: let the admin choose the account instead of taking whoever the provider
// remembers. Microsoft and Google show their account picker (Google also needs consent for a refresh token);
// "Sign in as someone else" asks a generic server for a fresh sign-in (prompt=login, OpenID Connect Core §3.1.2.1).
import type { Preset } from "./presets";

/** The prompt value to send, merged with one already in the Authorize URL. */
export function promptFor(preset: Preset, inUrl: string | null, switchAccount: boolean): string | null {
  // Microsoft takes a single value.
  if (preset.startsWith("microsoft")) return switchAccount ? "login" : inUrl || "select_account";
  const values = new Set((inUrl ?? "").split(" ").filter(Boolean));
  if (preset === "google") ["consent", "select_account"].forEach((p) => values.add(p));
  if (switchAccount) values.add(preset === "google" ? "select_account" : "login");
  // "none" forbids any page; it cannot be combined with another value.
  if (values.size > 1) values.delete("none");
  return values.size ? [...values].join(" ") : null;
}
