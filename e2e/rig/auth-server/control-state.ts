// What tests can change at the running authorization server through the control API: token lifetimes and
// forced failures. Revocations are remembered so a refused refresh token can be told apart from an unknown one.
export const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;
export const DEFAULT_REFRESH_TOKEN_SECONDS = 14 * 24 * 3600;

export type ProviderStyle = "microsoft" | "google" | "standard";

export type ForcedFailure = {
  path: "token" | "authorize";
  /** only requests to this style's endpoints fail; any style when omitted */
  style?: ProviderStyle;
  /** only requests of this client fail; any client when omitted (lets parallel tests stay out of each other's way) */
  clientId?: string;
  /** "AADSTS50076" / "50076" for Microsoft style, an OAuth error code such as "invalid_grant" otherwise */
  code: string;
  /** the OAuth `error` value; derived from the code when omitted */
  error?: string;
  description?: string;
  status?: number;
};

type Lifetimes = { accessTokenSeconds: number; refreshTokenSeconds: number };

/** The next `count` token requests (of one client, or any) are answered only after `delayMs`. */
export type Slowdown = { clientId?: string; delayMs: number; count: number };

const MAX_DELAY_MS = 120_000;

export class ControlState {
  private lifetimes: Lifetimes = defaultLifetimes();
  private clientLifetimes = new Map<string, Partial<Lifetimes>>();
  private failures: ForcedFailure[] = [];
  private slowdowns: Slowdown[] = [];
  /** token requests received, by `${clientId} ${grantType}` */
  private tokenRequests = new Map<string, number>();
  /** ids of refresh tokens the control API revoked */
  readonly revokedRefreshTokens = new Set<string>();

  accessTokenSeconds(clientId?: string): number {
    return (clientId && this.clientLifetimes.get(clientId)?.accessTokenSeconds) || this.lifetimes.accessTokenSeconds;
  }

  refreshTokenSeconds(clientId?: string): number {
    return (clientId && this.clientLifetimes.get(clientId)?.refreshTokenSeconds) || this.lifetimes.refreshTokenSeconds;
  }

  setLifetimes(change: Partial<Lifetimes> & { clientId?: string }): void {
    const { clientId, ...lifetimes } = change;
    for (const [name, value] of Object.entries(lifetimes)) {
      if (value !== undefined && (!Number.isInteger(value) || value <= 0))
        throw new Error(`${name} must be a positive whole number`);
    }
    if (clientId) this.clientLifetimes.set(clientId, { ...this.clientLifetimes.get(clientId), ...lifetimes });
    else this.lifetimes = { ...this.lifetimes, ...stripUndefined(lifetimes) };
  }

  failNext(failure: ForcedFailure): void {
    this.failures.push(failure);
  }

  /** The first queued failure matching this request, removed from the queue. */
  takeFailure(
    path: ForcedFailure["path"],
    style: ProviderStyle,
    clientId: string | undefined,
  ): ForcedFailure | undefined {
    const index = this.failures.findIndex(
      (failure) =>
        failure.path === path &&
        (!failure.style || failure.style === style) &&
        (!failure.clientId || failure.clientId === clientId),
    );
    if (index === -1) return undefined;
    return this.failures.splice(index, 1)[0];
  }

  slowNext(slowdown: Slowdown): void {
    if (!Number.isInteger(slowdown.delayMs) || slowdown.delayMs <= 0 || slowdown.delayMs > MAX_DELAY_MS) {
      throw new Error(`delayMs must be a whole number of milliseconds between 1 and ${MAX_DELAY_MS}`);
    }
    if (!Number.isInteger(slowdown.count) || slowdown.count <= 0)
      throw new Error("count must be a positive whole number");
    this.slowdowns.push({ ...slowdown });
  }

  /** How long to hold this token request back (0: not at all); uses up one request of the matching slowdown. */
  takeDelay(clientId: string | undefined): number {
    const slowdown = this.slowdowns.find((candidate) => !candidate.clientId || candidate.clientId === clientId);
    if (!slowdown) return 0;
    slowdown.count -= 1;
    if (slowdown.count === 0) this.slowdowns.splice(this.slowdowns.indexOf(slowdown), 1);
    return slowdown.delayMs;
  }

  countTokenRequest(clientId: string | undefined, grantType: string | undefined): void {
    const key = `${clientId ?? "?"} ${grantType ?? "?"}`;
    this.tokenRequests.set(key, (this.tokenRequests.get(key) ?? 0) + 1);
  }

  tokenRequestCount(clientId: string, grantType: string): number {
    return this.tokenRequests.get(`${clientId} ${grantType}`) ?? 0;
  }

  reset(): void {
    this.lifetimes = defaultLifetimes();
    this.clientLifetimes.clear();
    this.failures = [];
    this.slowdowns = [];
  }
}

function defaultLifetimes(): Lifetimes {
  return { accessTokenSeconds: DEFAULT_ACCESS_TOKEN_SECONDS, refreshTokenSeconds: DEFAULT_REFRESH_TOKEN_SECONDS };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
