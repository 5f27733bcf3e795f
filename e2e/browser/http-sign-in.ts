// Sign-in over plain HTTP from a chosen loopback source address (127.0.0.x), with chosen extra headers:
// what a client behind another address, or one forging X-Forwarded-For, sends.
import { Agent, request } from "undici";

export type SignInAnswer = { signedIn: boolean; code: string | null; location: string };

function cookiesOf(setCookie: string | string[] | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const pair = line.split(";")[0];
    jar.set(pair.split("=")[0], pair);
  }
  return jar;
}

export function fromAddress(localAddress: string): Agent {
  return new Agent({ localAddress });
}

/** Auth.js's credentials endpoint, the way a script would post it: `code` says why a sign-in was refused. */
export async function signInOverHttp(
  origin: string,
  agent: Agent,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<SignInAnswer> {
  const csrf = await request(`${origin}/api/auth/csrf`, { dispatcher: agent, headers });
  const { csrfToken } = (await csrf.body.json()) as { csrfToken: string };
  const jar = cookiesOf(csrf.headers["set-cookie"]);
  const res = await request(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    dispatcher: agent,
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: [...jar.values()].join("; ") },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${origin}/` }).toString(),
  });
  await res.body.dump();
  const location = String(res.headers.location ?? "");
  const signedIn = [...cookiesOf(res.headers["set-cookie"]).keys()].some((name) =>
    name.endsWith("authjs.session-token"),
  );
  return { signedIn, code: new URL(location, origin).searchParams.get("code"), location };
}
