import { db } from "@/lib/db";
import { claimSignInAttempt, signInSucceeded } from "./login-throttle";
import { dummyPasswordHash, verifyPassword } from "@/lib/crypto";

export type SignInUser = { id: string; email: string; name: string; sessionVersion: number };
export type CredentialsOutcome =
  | { ok: true; user: SignInUser }
  | { ok: false; reason: "wrong" }
  | { ok: false; reason: "throttled"; retryAfterMs: number };

/** The whole sign-in decision: the try is counted first, then the password is checked (also for unknown accounts). */
export async function checkCredentials(email: string, password: string, address: string): Promise<CredentialsOutcome> {
  const verdict = await claimSignInAttempt(email, address);
  if (!verdict.allowed) return { ok: false, reason: "throttled", retryAfterMs: verdict.retryAfterMs };
  const user = await db().user.findUnique({ where: { email } });
  // Always verify a hash so a missing account takes as long as a wrong password.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok || user.disabled) return { ok: false, reason: "wrong" };
  await signInSucceeded(email, address, verdict.pair);
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
