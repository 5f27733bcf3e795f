import { NextResponse, type NextRequest } from "next/server";
// lib/auth's edge entry: the proxy must not load the rest of lib/auth (server-only, database).
import { readSessionToken } from "@/lib/auth/edge";
import { config as appConfig } from "@/lib/config";
import { newNonce, refuseActionRequest, securityHeaders } from "@/lib/http";

// Reachable without a session: sign-in, first-run setup (refuses once an admin exists), health, Auth.js's
// own endpoints, and the OAuth callback, which checks its own state instead.
const PUBLIC_PATHS = [
  /^\/signin\/?$/,
  /^\/setup\/?$/,
  /^\/api\/health\/?$/,
  /^\/api\/auth\//,
  /^\/api\/oauth\/callback\/?$/,
];

/**
 * Every request: a nonce and the security headers; without a valid session cookie, anything but a public
 * path is refused here. Pages and actions check the user themselves (disabled, ended sessions, role).
 */
// A stranger's mail body, shown in a sandboxed frame of the console: its route sets a stricter policy of its
// own (no script at all, framed by the console only), which the console's policy must not replace.
const MAIL_FRAME = /^\/api\/requests\/mail\/[^/]+\/html\/?$/;

export default async function proxy(req: NextRequest): Promise<Response> {
  const headers = securityHeaders(newNonce());
  const ownPolicy = MAIL_FRAME.test(req.nextUrl.pathname);
  const withHeaders = (res: NextResponse) => {
    for (const [name, value] of Object.entries(headers))
      if (!(ownPolicy && name === "Content-Security-Policy")) res.headers.set(name, value);
    return res;
  };
  const { pathname } = req.nextUrl;
  const refused = refuseActionRequest(req.method, pathname, req.headers);
  if (refused) return withHeaders(new NextResponse(refused.body, refused));
  if (PUBLIC_PATHS.some((p) => p.test(pathname)) || (await readSessionToken(req.headers))) {
    const requestHeaders = new Headers(req.headers);
    requestHeaders.set("content-security-policy", headers["Content-Security-Policy"]);
    return withHeaders(NextResponse.next({ request: { headers: requestHeaders } }));
  }
  const isApi = pathname.startsWith("/api/");
  const isAction = req.headers.has("next-action");
  if (isApi || isAction || req.method !== "GET") {
    return withHeaders(NextResponse.json({ error: "Sign in first." }, { status: 401 }));
  }
  // The public address, not the one Next listens on (0.0.0.0 behind a proxy).
  return withHeaders(NextResponse.redirect(new URL("/signin", appConfig().publicUrl)));
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
