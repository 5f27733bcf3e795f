// The one way the console writes a point in time: "2026-12-01 20:26 UTC" (with seconds where a log needs
// them). The same on the server and in the browser, so pages rendered on either side agree. Client-safe.

/** "YYYY-MM-DD HH:MM UTC" ("…:SS UTC" with seconds); "—" for no date or an invalid one. */
export function formatDateTime(
  value: Date | string | number | null | undefined,
  opts: { seconds?: boolean } = {},
): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  return `${date
    .toISOString()
    .replace("T", " ")
    .slice(0, opts.seconds ? 19 : 16)} UTC`;
}
