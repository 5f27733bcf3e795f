import { db } from "@/lib/db";

const WINDOW_MS = 15 * 60 * 1000;
const LIMITS = { account: 5, address: 20 } as const;
const BLOCK_MS = 15 * 60 * 1000;

type Kind = keyof typeof LIMITS;
const keyOf = (kind: Kind, value: string) => `${kind}:${value.toLowerCase()}`;

/** True when this account or address has failed too often recently (kept in the database: works across processes). */
export async function isThrottled(email: string, address: string): Promise<boolean> {
  const now = new Date();
  const rows = await db().loginThrottle.findMany({ where: { key: { in: [keyOf("account", email), keyOf("address", address)] } } });
  return rows.some((r) => r.blockedUntil && r.blockedUntil > now);
}

export async function recordFailure(email: string, address: string): Promise<void> {
  for (const kind of ["account", "address"] as const) {
    const key = keyOf(kind, kind === "account" ? email : address);
    const now = new Date();
    const row = await db().loginThrottle.findUnique({ where: { key } });
    const fresh = !row || now.getTime() - row.windowStart.getTime() > WINDOW_MS;
    const failures = fresh ? 1 : row.failures + 1;
    const blockedUntil = failures >= LIMITS[kind] ? new Date(now.getTime() + BLOCK_MS) : null;
    await db().loginThrottle.upsert({
      where: { key },
      create: { key, failures, windowStart: now, blockedUntil },
      update: { failures, windowStart: fresh ? now : row.windowStart, blockedUntil },
    });
  }
}

export async function clearFailures(email: string): Promise<void> {
  await db().loginThrottle.deleteMany({ where: { key: keyOf("account", email) } });
}
