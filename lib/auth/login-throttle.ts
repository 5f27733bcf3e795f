import { db } from "@/lib/db";

/**
 * Two counters, both kept in the database so every process sees them:
 * - per account and address: a few free tries, then a growing delay between tries. Someone else's
 *   failures never delay an account's owner at their own address.
 * - per address: a ceiling on failures from one address across all accounts.
 * A try is counted before the password is checked, by a compare-and-set on the counter, so concurrent
 * tries cannot all pass the check before any failure is written.
 */
type Policy = {
  key: (email: string, address: string) => string;
  free: number;
  window: number;
  delay: (failures: number) => number;
};

const MINUTE = 60_000;
const POLICIES = {
  pair: {
    key: (email: string, address: string) => `pair:${email.toLowerCase()}|${address}`,
    free: 5,
    window: 60 * MINUTE,
    delay: (failures: number) => Math.min(5000 * 2 ** (failures - 5), 15 * MINUTE),
  },
  address: {
    key: (_email: string, address: string) => `address:${address}`,
    free: 50,
    window: 15 * MINUTE,
    delay: () => 15 * MINUTE,
  },
} satisfies Record<string, Policy>;
const ATTEMPTS = 20;

/** The counter's value that a try wrote when it was counted. */
export type CountedTry = { failures: number; windowStart: Date };
type Refused = { allowed: false; retryAfterMs: number };
type ClaimVerdict = { allowed: true; counted: CountedTry } | Refused;
export type ThrottleVerdict = { allowed: true; pair: CountedTry } | Refused;

type Row = { failures: number; windowStart: Date; blockedUntil: Date | null };

function current(
  row: Row | null,
  policy: Policy,
  now: number,
): { failures: number; windowStart: Date; retryAfterMs: number } {
  if (!row) return { failures: 0, windowStart: new Date(now), retryAfterMs: 0 };
  const retryAfterMs = row.blockedUntil ? Math.max(0, row.blockedUntil.getTime() - now) : 0;
  if (retryAfterMs === 0 && now - row.windowStart.getTime() > policy.window)
    return { failures: 0, windowStart: new Date(now), retryAfterMs: 0 };
  return { failures: row.failures, windowStart: row.windowStart, retryAfterMs };
}

/** Counts one try against a counter, or refuses it while the counter is in its delay. */
async function claim(key: string, policy: Policy): Promise<ClaimVerdict> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = Date.now();
    const row = await db().loginThrottle.findUnique({ where: { key } });
    const state = current(row, policy, now);
    if (state.retryAfterMs > 0) return { allowed: false, retryAfterMs: state.retryAfterMs };
    const failures = state.failures + 1;
    const data = {
      failures,
      windowStart: state.windowStart,
      blockedUntil: failures >= policy.free ? new Date(now + policy.delay(failures)) : null,
    };
    if (!row) {
      try {
        await db().loginThrottle.create({ data: { key, ...data } });
        return { allowed: true, counted: data };
      } catch {
        continue; // created by a concurrent try: read it again
      }
    }
    // Only one of several concurrent tries moves the counter from this value; the others read again.
    const moved = await db().loginThrottle.updateMany({
      where: { key, failures: row.failures, windowStart: row.windowStart },
      data,
    });
    if (moved.count === 1) return { allowed: true, counted: data };
  }
  return { allowed: false, retryAfterMs: 1000 };
}

/** Counts a sign-in try for this account from this address before its password is checked. */
export async function claimSignInAttempt(email: string, address: string): Promise<ThrottleVerdict> {
  const byAddress = await claim(POLICIES.address.key(email, address), POLICIES.address);
  if (!byAddress.allowed) return byAddress;
  const pair = await claim(POLICIES.pair.key(email, address), POLICIES.pair);
  return pair.allowed ? { allowed: true, pair: pair.counted } : pair;
}

/** Read-only: whether a try now would be refused (lets the form say so without counting a try). */
export async function signInDelay(email: string, address: string): Promise<number> {
  const now = Date.now();
  const rows = await db().loginThrottle.findMany({
    where: { key: { in: [POLICIES.pair.key(email, address), POLICIES.address.key(email, address)] } },
  });
  return Math.max(0, ...rows.map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now : 0)));
}

/**
 * A correct password: this account's counter at this address starts over, and the try is not held against the
 * address. Only if no try was counted after this one (the counter still holds what this try wrote): a success
 * forgives the failures before it, never the tries of a concurrent burst counted meanwhile, which would otherwise
 * find no counter and begin again with free tries.
 */
export async function signInSucceeded(email: string, address: string, counted: CountedTry): Promise<void> {
  await db().loginThrottle.deleteMany({
    where: { key: POLICIES.pair.key(email, address), failures: counted.failures, windowStart: counted.windowStart },
  });
  await db().loginThrottle.updateMany({
    where: { key: POLICIES.address.key(email, address), failures: { gt: 0 } },
    data: { failures: { decrement: 1 } },
  });
}
