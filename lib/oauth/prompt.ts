// The authorize request's prompt: let the admin choose the account instead of taking whoever the provider
// remembers. Microsoft and Google show their account picker (Google also needs consent for a refresh token);
// a generic server gets select_account or login when its metadata says it supports them (OpenID Connect Core
// §3.1.2.1, prompt_values_supported), and "Sign in as someone else" always asks for a fresh sign-in.
import type { Preset } from "./presets";

/** The prompt value to send, merged with one already in the Authorize URL. `supported`: null when unknown. */
export function promptFor(
  preset: Preset,
  inUrl: string | null,
  switchAccount: boolean,
  supported: readonly string[] | null = null,
): string | null {
  // Microsoft takes a single value.
  if (preset.startsWith("microsoft")) return switchAccount ? "login" : inUrl || "select_account";
  const values = new Set((inUrl ?? "").split(" ").filter(Boolean));
  if (preset === "google") ["consent", "select_account"].forEach((p) => values.add(p));
  else if (supported?.includes("select_account")) values.add("select_account");
  else if (supported?.includes("login")) values.add("login");
  if (switchAccount) values.add(preset === "google" ? "select_account" : "login");
  // "none" forbids any page; it cannot be combined with another value.
  if (values.size > 1) values.delete("none");
  return values.size ? [...values].join(" ") : null;
}
