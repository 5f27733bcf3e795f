// Which `scope` to send when refreshing. RFC 6749 section 6: the scope of a refresh must not exceed what was
// granted, and an omitted scope means "as granted". Re-sending the configured scope fails at authorization
// servers whose refresh token records a narrower grant (commonly without offline_access): they answer
// invalid_scope. Microsoft's v2 endpoint is the exception that wants a scope on every refresh, a subset of the
// scope consented to.

const words = (scope: string | null | undefined) => [...new Set((scope ?? "").split(/\s+/).filter(Boolean))];

export function isMicrosoftV2(tokenUrl: string): boolean {
  return /\/oauth2\/v2\.0\/token$/.test(URL.parse(tokenUrl)?.pathname ?? "");
}

/**
 * The scope values to try, in order: the first that the server accepts wins; `undefined` means no scope
 * parameter. A second value is tried only when the server answers invalid_scope to the first.
 */
export function refreshScopeAttempts(
  tokenUrl: string,
  conn: { scope: string; grantedScope: string | null },
): (string | undefined)[] {
  const configured = words(conn.scope);
  const granted = words(conn.grantedScope);
  const attempts: (string | undefined)[] = [];
  if (isMicrosoftV2(tokenUrl)) {
    // What Microsoft granted, plus offline_access when it was asked for (Microsoft leaves it out of `scope`).
    const subset = granted.length
      ? [...granted, ...configured.filter((s) => s === "offline_access" && !granted.includes(s))]
      : configured;
    attempts.push(subset.join(" ") || undefined, configured.join(" ") || undefined);
  } else {
    attempts.push(granted.length ? granted.join(" ") : undefined, undefined);
  }
  return attempts.filter((scope, index) => attempts.indexOf(scope) === index);
}
