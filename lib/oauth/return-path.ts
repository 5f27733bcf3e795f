// Where the consent flow may send the browser back to: a path on this console, never another site. The value
// comes from a query parameter, so it is hostile until proven otherwise: browsers read "/\host" and "/\t/host"
// as "//host" (another origin), which a simple startsWith("/") check lets through.
const UNSAFE = /[\\\u0000-\u001f\u007f]/;

/** The same-origin path (with query and fragment) `raw` points to, or `fallback` when it leaves the console. */
export function safeReturnPath(raw: string | null | undefined, publicUrl: string, fallback = "/oauth"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2000) return fallback;
  if (!raw.startsWith("/") || raw.startsWith("//") || UNSAFE.test(raw)) return fallback;
  let resolved: URL;
  try {
    resolved = new URL(raw, publicUrl);
  } catch {
    return fallback;
  }
  if (resolved.origin !== new URL(publicUrl).origin) return fallback;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // Normalising may have produced "//" again (e.g. "/.//host"): refuse rather than re-check forever.
  return path.startsWith("//") ? fallback : path;
}
