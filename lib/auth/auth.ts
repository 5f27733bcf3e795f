import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { baseAuthConfig } from "./auth-config";
import { clientAddress } from "./client-address";
import { checkCredentials } from "./credentials-check";
import { signInDelay } from "./login-throttle";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(1000),
});

/** The form's early answer, so it can say how long to wait; it counts nothing (authorize() does). */
export async function signInWaitMs(email: string, headers: Headers): Promise<number> {
  return signInDelay(email.trim().toLowerCase(), clientAddress(headers));
}

/** Auth.js hands this code to the caller (signIn() throws it; a direct post gets it in the redirect). */
export class SignInThrottled extends CredentialsSignin {
  code = "throttled";
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
        const outcome = await checkCredentials(email, password, clientAddress(request.headers));
        if (outcome.ok) return outcome.user as never;
        if (outcome.reason === "throttled") throw new SignInThrottled();
        return null;
      },
    }),
  ],
}));
