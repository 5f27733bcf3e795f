import NextAuth from "next-auth";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { baseAuthConfig } from "@/lib/auth/auth-config";

// Reachable without a session: sign-in, first-run setup (refuses once an admin exists), health, Auth.js's
// own endpoints, and the OAuth callback, which checks its own state instead.
const PUBLIC_PATHS = [/^\/signin\/?$/, /^\/setup\/?$/, /^\/api\/health\/?$/, /^\/api\/auth\//, /^\/api\/oauth\/callback\/?$/];

const { auth } = NextAuth(baseAuthConfig);

// With a lazily built config (the secret comes from the key file), Auth.js hands the wrapper back as a promise.
const guarded = auth((req) => {
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
}) as unknown as Promise<(req: NextRequest, event: NextFetchEvent) => Promise<Response>>;

export default async function proxy(req: NextRequest, event: NextFetchEvent): Promise<Response> {
  return (await guarded)(req, event);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
