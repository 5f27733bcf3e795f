import type { NextAuthConfig } from "next-auth";
import { authSecret } from "./auth-secret";

/** The parts of the Auth.js setup that need no database: shared by proxy.ts and the full setup. */
export function baseAuthConfig(): NextAuthConfig {
  return {
    secret: authSecret(),
    trustHost: true,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
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
