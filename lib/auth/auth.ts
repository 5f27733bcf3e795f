import "server-only";
import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "@/lib/db";
import { baseAuthConfig } from "./auth-config";
import { clearFailures, isThrottled, recordFailure } from "./login-throttle";
import { dummyPasswordHash, verifyPassword } from "./password";

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(1000) });

export function clientAddress(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || "local";
}

/** Checked before Auth.js runs so the form can say why; authorize() checks again for direct posts. */
export async function signInThrottled(email: string, headers: Headers): Promise<boolean> {
  return isThrottled(email.trim().toLowerCase(), clientAddress(headers));
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...baseAuthConfig(),
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { email, password } = parsed.data;
        const address = clientAddress(request.headers);
        if (await isThrottled(email, address)) return null;
        const user = await db().user.findUnique({ where: { email } });
        // Always verify a hash so a missing account takes as long as a wrong password.
        const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
        if (!user || !ok || user.disabled) {
          await recordFailure(email, address);
          return null;
        }
        await clearFailures(email);
        await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } as never;
      },
    }),
  ],
}));
