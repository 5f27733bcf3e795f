import NextAuth from "next-auth";
import { NextResponse } from "next/server";
import { baseAuthConfig } from "@/lib/auth/auth-config";

// Reachable without a session: sign-in, first-run setup (refuses once an admin exists), health, Auth.js's
// own endpoints, and the OAuth callback, which checks its own state instead.
const PUBLIC_PATHS = [/^\/signin\/?$/, /^\/setup\/?$/, /^\/api\/health\/?$/, /^\/api\/auth\//, /^\/api\/oauth\/callback\/?$/];

const { auth } = NextAuth(baseAuthConfig);

export default auth((req) => {
  const { pathname } = req.nextUrl;
  if (PUBLIC_PATHS.some((p) => p.test(pathname)) || req.auth?.user) return NextResponse.next();
  const isApi = pathname.startsWith("/api/");
  const isAction = req.headers.has("next-action");
  if (isApi || isAction || req.method !== "GET") {
    return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  }
  const url = req.nextUrl.clone();
  url.pathname = "/signin";
  url.search = "";
  return NextResponse.redirect(url);
});

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
