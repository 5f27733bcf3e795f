import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";
import { explainOAuthError, isGrantGone } from "./error-catalogue";
import { requestToken, TokenEndpointError } from "./token-request";

export type AccessToken = { accessToken: string; expiresAt: Date; user?: string };

export class ReconnectNeededError extends UserFacingError {
  constructor(reason: string) {
    super(`This connection needs to be reconnected: ${reason}`);
    this.name = "ReconnectNeededError";
  }
}

const LEASE_MS = 30_000;
const WAIT_STEP_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function load(connectionId: string) {
  return db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId }, include: { application: true } });
}
type Loaded = Awaited<ReturnType<typeof load>>;

// A token another caller has just obtained is taken while it is valid this long, even inside the margin: a
// provider whose tokens live shorter than the margin must not make every waiting caller refresh again.
const JUST_REFRESHED_MIN_MS = 5_000;

function usable(conn: Loaded, margin = conn.application.tokenExpiryMarginSec * 1000): AccessToken | null {
  if (!conn.accessToken || !conn.accessTokenExpiresAt || conn.accessTokenExpiresAt.getTime() - margin <= Date.now()) return null;
  return { accessToken: conn.accessToken, expiresAt: conn.accessTokenExpiresAt, user: conn.tokenUser ?? conn.loginHint ?? conn.subject ?? undefined };
}

/**
 * A valid access token for the connection. Tokens are reused until `margin` before expiry; then exactly
 * one caller across all processes refreshes (a compare-and-swap lease on the row), the others wait for
 * its result. A grant that is gone marks the connection "reconnect needed" and is never retried here.
 */
export async function getAccessToken(connectionId: string, opts: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
  let conn = await load(connectionId);
  if (conn.status === "reconnect_needed") throw new ReconnectNeededError(conn.statusReason ?? "the grant is no longer valid");
  if (!opts.forceRefresh) {
    const ready = usable(conn);
    if (ready) return ready;
  }
  const startVersion = conn.tokenVersion;
  const owner = randomUUID();
  for (;;) {
    const now = new Date();
    const { count } = await db().oAuthConnection.updateMany({
      where: { id: connectionId, tokenVersion: conn.tokenVersion, OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }] },
      data: { refreshLeaseOwner: owner, refreshLeaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count === 1) break;
    await sleep(WAIT_STEP_MS);
    conn = await load(connectionId);
    if (conn.status === "reconnect_needed") throw new ReconnectNeededError(conn.statusReason ?? "the grant is no longer valid");
    // Somebody else refreshed meanwhile: their token is as fresh as ours would be.
    if (conn.tokenVersion !== startVersion) {
      const ready = usable(conn, Math.min(conn.application.tokenExpiryMarginSec * 1000, JUST_REFRESHED_MIN_MS));
      if (ready) return ready;
    }
  }
  return refreshHoldingLease(conn, owner);
}

async function refreshHoldingLease(conn: Loaded, owner: string): Promise<AccessToken> {
  const release = { refreshLeaseOwner: null, refreshLeaseUntil: null };
  try {
    const tokens = await requestToken(conn.application, conn);
    const now = Date.now();
    const expiresAt = new Date(now + (tokens.expiresIn ?? 3600) * 1000);
    await db().oAuthConnection.update({
      where: { id: conn.id },
      data: {
        ...release,
        accessToken: tokens.accessToken,
        accessTokenExpiresAt: expiresAt,
        // Providers rotate refresh tokens: always keep the newest one, or the grant dies with the old.
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken, refreshTokenIssuedAt: new Date(now) } : {}),
        ...(tokens.refreshTokenExpiresIn ? { refreshTokenExpiresAt: new Date(now + tokens.refreshTokenExpiresIn * 1000) } : {}),
        refreshTokenLastUsedAt: conn.refreshToken ? new Date(now) : conn.refreshTokenLastUsedAt,
        grantedScope: tokens.scope ?? conn.grantedScope,
        status: "connected",
        statusReason: null,
        statusHint: null,
        tokenVersion: { increment: 1 },
      },
    });
    return { accessToken: tokens.accessToken, expiresAt, user: conn.tokenUser ?? conn.loginHint ?? conn.subject ?? undefined };
  } catch (error) {
    if (error instanceof TokenEndpointError && isGrantGone(error.body)) {
      const hint = explainOAuthError(error.body);
      const reason = error.body.error_description ?? error.body.error;
      await db().oAuthConnection.update({
        where: { id: conn.id },
        data: { ...release, status: "reconnect_needed", statusReason: reason, statusHint: hint ? `${hint.title}. ${hint.action}` : null },
      });
      log.warn("oauth grant is gone; connection marked reconnect needed", { connectionId: conn.id, error: error.body.error });
      throw new ReconnectNeededError(reason);
    }
    await db().oAuthConnection.updateMany({ where: { id: conn.id, refreshLeaseOwner: owner }, data: release });
    if (error instanceof TokenEndpointError) {
      const hint = explainOAuthError(error.body);
      throw new UserFacingError(`The token endpoint refused the request: ${error.message}`, { hint: hint ?? undefined, raw: error.message });
    }
    throw error;
  }
}
