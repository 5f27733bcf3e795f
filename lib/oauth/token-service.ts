import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import { backoffError, inBackoff } from "./refresh-backoff";
import { refreshFailure } from "./refresh-failure";
import { requestToken, TOKEN_REQUEST_TIMEOUT_S, type TokenSet } from "./token-request";

export type AccessToken = { accessToken: string; expiresAt: Date; user?: string };

export class ReconnectNeededError extends UserFacingError {
  constructor(reason: string) {
    super(`This connection needs to be reconnected: ${reason}`);
    this.name = "ReconnectNeededError";
  }
}

/**
 * The refresh lease: three times as long as a token request may take (TOKEN_REQUEST_TIMEOUT_S), so the lease
 * of a caller still waiting for the provider does not run out and let a second caller replay the same refresh
 * token (which rotating providers answer with invalid_grant, or by revoking the whole grant).
 */
const LEASE_MS = 60_000;
/** How long a caller waits for another caller's refresh by default: one token request plus the database writes. */
const DEFAULT_WAIT_MS = TOKEN_REQUEST_TIMEOUT_S * 1000 + 15_000;
const WAIT_STEP_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RELEASE = { refreshLeaseOwner: null, refreshLeaseUntil: null };

async function load(connectionId: string) {
  return db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId }, include: { application: true } });
}
export type LoadedConnection = Awaited<ReturnType<typeof load>>;

// A token another caller has just obtained is taken while it is valid this long, even inside the margin: a
// provider whose tokens live shorter than the margin must not make every waiting caller refresh again.
const JUST_REFRESHED_MIN_MS = 5_000;

const userOf = (conn: LoadedConnection) => conn.tokenUser ?? conn.loginHint ?? conn.subject ?? undefined;

function usable(conn: LoadedConnection, margin = conn.application.tokenExpiryMarginSec * 1000): AccessToken | null {
  if (!conn.accessToken || !conn.accessTokenExpiresAt || conn.accessTokenExpiresAt.getTime() - margin <= Date.now())
    return null;
  return { accessToken: conn.accessToken, expiresAt: conn.accessTokenExpiresAt, user: userOf(conn) };
}
const justRefreshed = (conn: LoadedConnection) =>
  usable(conn, Math.min(conn.application.tokenExpiryMarginSec * 1000, JUST_REFRESHED_MIN_MS));

function assertGrantKept(conn: LoadedConnection): void {
  if (conn.status === "reconnect_needed")
    throw new ReconnectNeededError(conn.statusReason ?? "the grant is no longer valid");
}

/**
 * A valid access token for the connection. Tokens are reused until `margin` before expiry; then exactly
 * one caller across all processes refreshes (a compare-and-swap lease on the row), the others wait for
 * its result, at most `waitMs`. A grant that is gone marks the connection "reconnect needed" and is never
 * retried here; while the provider keeps failing, callers get the last error without a new request.
 */
export async function getAccessToken(
  connectionId: string,
  opts: { forceRefresh?: boolean; waitMs?: number } = {},
): Promise<AccessToken> {
  let conn = await load(connectionId);
  assertGrantKept(conn);
  if (!opts.forceRefresh) {
    const ready = usable(conn);
    if (ready) return ready;
  }
  if (inBackoff(conn)) throw backoffError(conn);
  const startVersion = conn.tokenVersion;
  const owner = randomUUID();
  const waitMs = opts.waitMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = new Date();
    const { count } = await db().oAuthConnection.updateMany({
      where: {
        id: connectionId,
        tokenVersion: conn.tokenVersion,
        OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }],
      },
      data: { refreshLeaseOwner: owner, refreshLeaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count === 1) break;
    if (Date.now() >= deadline) {
      throw new UserFacingError(
        `Another request has been refreshing this connection's token for over ${Math.round(waitMs / 1000)} s without a result.`,
        {
          hint: {
            code: "oauth.refresh_wait",
            title: "A token refresh is still running",
            action:
              "The token endpoint answers slowly, or another Mailbridge process stopped while refreshing (its claim ends within a minute). Try again shortly.",
          },
        },
      );
    }
    await sleep(WAIT_STEP_MS);
    conn = await load(connectionId);
    assertGrantKept(conn);
    // Somebody else refreshed meanwhile: their token is as fresh as ours would be.
    if (conn.tokenVersion !== startVersion) {
      const ready = justRefreshed(conn);
      if (ready) return ready;
    }
    if (inBackoff(conn)) throw backoffError(conn);
  }
  return refreshHoldingLease(conn, owner);
}

async function refreshHoldingLease(conn: LoadedConnection, owner: string): Promise<AccessToken> {
  let tokens: TokenSet;
  try {
    tokens = await requestToken(conn.application, conn);
  } catch (error) {
    return refreshFailed(conn, owner, error);
  }
  return storeRefreshed(conn, owner, tokens);
}

async function storeRefreshed(conn: LoadedConnection, owner: string, tokens: TokenSet): Promise<AccessToken> {
  const now = Date.now();
  const expiresAt = new Date(now + (tokens.expiresIn ?? 3600) * 1000);
  const result: AccessToken = { accessToken: tokens.accessToken, expiresAt, user: userOf(conn) };
  const data = {
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: expiresAt,
    // Providers rotate refresh tokens: always keep the newest one, or the grant dies with the old.
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken, refreshTokenIssuedAt: new Date(now) } : {}),
    ...(tokens.refreshTokenExpiresIn
      ? { refreshTokenExpiresAt: new Date(now + tokens.refreshTokenExpiresIn * 1000) }
      : {}),
    refreshTokenLastUsedAt: conn.refreshToken ? new Date(now) : conn.refreshTokenLastUsedAt,
    grantedScope: tokens.scope ?? conn.grantedScope,
    status: "connected",
    statusReason: null,
    statusHint: null,
    refreshFailures: 0,
    refreshRetryAt: null,
    tokenVersion: { increment: 1 },
  };
  const fenced = await db().oAuthConnection.updateMany({
    where: { id: conn.id, refreshLeaseOwner: owner },
    data: { ...RELEASE, ...data },
  });
  if (fenced.count === 1) return result;
  // Our lease was taken over (this process stalled past it). A result stored meanwhile wins; if there is
  // none, ours is the newest grant and is kept, without touching the other caller's lease.
  const current = await load(conn.id);
  if (current.tokenVersion !== conn.tokenVersion) {
    log.warn("oauth refresh finished after its lease was taken over; keeping the other caller's result", {
      connectionId: conn.id,
    });
    return justRefreshed(current) ?? result;
  }
  await db().oAuthConnection.updateMany({ where: { id: conn.id, tokenVersion: conn.tokenVersion }, data });
  return result;
}

async function refreshFailed(conn: LoadedConnection, owner: string, error: unknown): Promise<AccessToken> {
  const failure = await refreshFailure(error, conn);
  if (failure.grantGone) {
    // Re-check first: a refresh token that another caller has rotated meanwhile is refused too, and that
    // says nothing about the grant. The connection is marked only when the row still holds what we sent.
    const current = await load(conn.id);
    if (current.tokenVersion !== conn.tokenVersion || current.refreshToken !== conn.refreshToken) {
      await db().oAuthConnection.updateMany({ where: { id: conn.id, refreshLeaseOwner: owner }, data: RELEASE });
      log.warn("oauth refresh token was refused after another caller replaced it; using the newer token", {
        connectionId: conn.id,
      });
      const ready = justRefreshed(current);
      if (ready) return ready;
      return getAccessToken(conn.id);
    }
    const marked = await db().oAuthConnection.updateMany({
      where: { id: conn.id, refreshLeaseOwner: owner, tokenVersion: conn.tokenVersion },
      data: {
        ...RELEASE,
        status: "reconnect_needed",
        statusReason: failure.reason,
        statusHint: failure.hint ? `${failure.hint.title}. ${failure.hint.action}` : null,
      },
    });
    if (marked.count === 0) return getAccessToken(conn.id);
    log.warn("oauth grant is gone; connection marked reconnect needed", { connectionId: conn.id, error: failure.code });
    throw new ReconnectNeededError(failure.reason);
  }
  if (!failure.record) throw error;
  const failures = conn.refreshFailures + 1;
  await db().oAuthConnection.updateMany({
    where: { id: conn.id, refreshLeaseOwner: owner },
    data: {
      ...RELEASE,
      status: "refresh_failing",
      statusReason: failure.reason,
      statusHint: failure.hint ? `${failure.hint.title}. ${failure.hint.action}` : null,
      refreshFailures: failures,
      refreshRetryAt: new Date(Date.now() + failure.retryInMs(failures)),
    },
  });
  log.warn("oauth token refresh failed; backing off", { connectionId: conn.id, error: failure.code, failures });
  throw failure.userError;
}
