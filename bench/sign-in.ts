import { request } from "undici";

// The last Set-Cookie of a name wins, as in a browser (the proxy and the route may both set one).
function cookiesOf(setCookie: string | string[] | undefined): string[] {
  const jar = new Map<string, string>();
  for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const pair = line.split(";")[0];
    jar.set(pair.split("=")[0], pair);
  }
  return [...jar.values()];
}

/** Signs in through Auth.js's own endpoints and returns the Cookie header of the session. */
export async function signInCookie(origin: string, email: string, password: string): Promise<string> {
  const csrf = await request(`${origin}/api/auth/csrf`);
  const { csrfToken } = (await csrf.body.json()) as { csrfToken: string };
  const csrfCookies = cookiesOf(csrf.headers["set-cookie"]);
  const res = await request(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies.join("; ") },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${origin}/` }).toString(),
  });
  await res.body.dump();
  const session = cookiesOf(res.headers["set-cookie"]).find((c) => c.includes("session-token="));
  if (!session) throw new Error(`sign-in failed (HTTP ${res.statusCode}, ${String(res.headers.location)})`);
  return session;
}
