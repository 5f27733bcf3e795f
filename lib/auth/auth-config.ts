import type { NextAuthConfig } from "next-auth";
import { logUnexpected } from "@/lib/log";
import { authSecret } from "./auth-secret";

// A wrong password or a throttled try is an answer, not an error: Auth.js would log each with a stack trace.
const EXPECTED_AUTH_ERRORS = new Set(["CredentialsSignin", "MissingCSRF"]);

/** The parts of the Auth.js setup that need no database: shared by proxy.ts and the full setup. */
export function baseAuthConfig(): NextAuthConfig {
  return {
    secret: authSecret(),
    trustHost: true,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    logger: {
      error(error) {
        if (!EXPECTED_AUTH_ERRORS.has(error.name) && !EXPECTED_AUTH_ERRORS.has((error as { type?: string }).type ?? ""))
          logUnexpected("sign-in (Auth.js)", error);
      },
    },
    providers: [],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === "string") session.user.id = token.uid;
        (session as { sv?: number }).sv = typeof token.sv === "number" ? token.sv : -1;
        return session;
      },
    },
  };
}
