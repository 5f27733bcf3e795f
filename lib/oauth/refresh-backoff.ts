// Backing off while a provider fails: after each failed refresh in a row the next attempt waits twice as long
// (5 s, 10 s, 20 s, … at most 15 min); callers inside that window get the last error at once instead of
// sending another request to a token endpoint that is down or refusing.
import { UserFacingError, type Hint } from "@/lib/errors";

const BASE_MS = 5_000;
const CAP_MS = 15 * 60_000;

export function backoffMs(failuresInARow: number): number {
  return Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, Math.min(failuresInARow - 1, 20)));
}

type FailingState = {
  status: string;
  refreshFailures: number;
  refreshRetryAt: Date | null;
  statusReason: string | null;
  statusHint: string | null;
};

/**
 * Whether a refresh must wait. A change to the OAuth application since the failure (a renewed secret, a
 * corrected URL) ends the wait: the admin expects the fix to be tried at once.
 */
export function inBackoff(conn: FailingState & { application: { updatedAt: Date } }, now = Date.now()): boolean {
  if (conn.status !== "refresh_failing" || conn.refreshRetryAt === null || conn.refreshRetryAt.getTime() <= now)
    return false;
  const failedAt = conn.refreshRetryAt.getTime() - backoffMs(conn.refreshFailures);
  return conn.application.updatedAt.getTime() <= failedAt;
}

/** The error callers inside the backoff window get: the last failure, how often, and when the next try is. */
export function backoffError(conn: FailingState): UserFacingError {
  const seconds = Math.max(1, Math.ceil(((conn.refreshRetryAt?.getTime() ?? Date.now()) - Date.now()) / 1000));
  const hint: Hint = {
    code: "oauth.refresh_backoff",
    title: `Token refresh failed ${conn.refreshFailures} time(s) in a row`,
    action: `${conn.statusHint ? `${conn.statusHint} ` : ""}Mailbridge tries again in ${seconds} s (waiting longer after each failure, at most 15 minutes) so as not to flood the provider.`,
  };
  return new UserFacingError(
    `The access token could not be refreshed: ${conn.statusReason ?? "the token endpoint failed"}`,
    { hint, raw: conn.statusReason ?? undefined },
  );
}
