// Helpers for the authorization server's own tests: a server in a temp folder, token requests with every
// client-authentication method, and the authorization code flow driven through the real sign-in and consent
// forms with fetch (redirects followed by hand, cookies carried).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT } from "jose";
import type { RigClient, RigInfo } from "../info";
import { startAuthServer, type AuthServer } from "./index";

export type TestAuthServer = AuthServer & { rig: Pick<RigInfo, "auth">; cleanup(): Promise<void> };

export async function startTestAuthServer(): Promise<TestAuthServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "rig-auth-test-"));
  const server = await startAuthServer({ dir: path.join(dir, "auth"), logDir: path.join(dir, "logs") });
  return {
    ...server,
    rig: { auth: server.info },
    async cleanup() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type TokenAnswer = { status: number; body: Record<string, unknown> };

/** POSTs a token request, authenticating the client the way its registration says. */
export async function tokenCall(
  url: string,
  client: RigClient,
  params: Record<string, string>,
  opts: { assertionAudience?: string } = {},
): Promise<TokenAnswer> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const body = new URLSearchParams(params);
  switch (client.tokenEndpointAuthMethod) {
    case "client_secret_post":
      body.set("client_id", client.clientId);
      body.set("client_secret", client.clientSecret ?? "");
      break;
    case "client_secret_basic":
      headers.authorization = `Basic ${Buffer.from(
        `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret ?? "")}`,
      ).toString("base64")}`;
      break;
    case "private_key_jwt": {
      const key = await importPKCS8(client.privateKeyPem ?? "", "RS256");
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: client.keyId })
        .setIssuer(client.clientId)
        .setSubject(client.clientId)
        .setAudience(opts.assertionAudience ?? url)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime("2m")
        .sign(key);
      body.set("client_id", client.clientId);
      body.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      body.set("client_assertion", assertion);
      break;
    }
    case "none":
      body.set("client_id", client.clientId);
      break;
  }
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function jwtParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  return {
    header: decodeProtectedHeader(token) as Record<string, unknown>,
    payload: decodeJwt(token) as Record<string, unknown>,
  };
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export type BrowserStep = { kind: "login" | "consent"; html: string; status: number };

export type AuthorizationOutcome = {
  /** the callback URL the browser was finally sent to */
  callback: URL;
  /** the pages the "browser" saw on the way */
  pages: BrowserStep[];
  codeVerifier: string;
  redirectUri: string;
  state: string;
};

/**
 * Runs the authorization code flow with PKCE (S256) like a browser: follows redirects by hand, signs in on
 * the login form, answers the consent form, and stops at the client's redirect URI.
 */
export async function runAuthorizationFlow(opts: {
  authorizeUrl: string;
  client: RigClient;
  scope: string;
  username: string;
  password: string;
  decision?: "approve" | "deny";
  redirectUri?: string;
  extraParams?: Record<string, string>;
  jar?: CookieJar;
  /** an authorize URL a client under test built (state, PKCE and all): used exactly as given */
  preparedUrl?: string;
}): Promise<AuthorizationOutcome> {
  const jar = opts.jar ?? new CookieJar();
  const codeVerifier = randomBytes(32).toString("base64url");
  const state = randomBytes(8).toString("hex");
  const redirectUri = opts.redirectUri ?? "http://127.0.0.1:43117/api/oauth/callback";
  const url = new URL(opts.authorizeUrl);
  url.searchParams.set("client_id", opts.client.clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", opts.scope);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", createHash("sha256").update(codeVerifier).digest("base64url"));
  url.searchParams.set("code_challenge_method", "S256");
  for (const [name, value] of Object.entries(opts.extraParams ?? {})) url.searchParams.set(name, value);

  const pages: BrowserStep[] = [];
  let next: { url: string; init?: RequestInit } = { url: opts.preparedUrl ?? url.href };
  for (let hops = 0; hops < 20; hops += 1) {
    const response = await fetch(next.url, {
      ...next.init,
      redirect: "manual",
      headers: { ...(next.init?.headers as Record<string, string>), cookie: jar.header(), accept: "text/html" },
    });
    jar.store(response);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, next.url);
      if (target.href.startsWith(redirectUri.split("?")[0])) {
        return { callback: target, pages, codeVerifier, redirectUri, state };
      }
      next = { url: target.href };
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`the flow stopped at ${next.url} (${response.status}): ${html.slice(0, 500)}`);
    const formUrl = new URL(action.replace(/&amp;/g, "&"), next.url).href;
    // A page that submits itself (oidc-provider ends the old session when another account signs in): the
    // browser posts its hidden fields at once.
    if (html.includes("document.forms[0].submit()")) {
      const hidden = new URLSearchParams(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
          m[1],
          m[2].replace(/&amp;/g, "&"),
        ]),
      );
      next = {
        url: formUrl,
        init: {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: hidden.toString(),
        },
      };
      continue;
    }
    const isLogin = html.includes('name="password"');
    pages.push({ kind: isLogin ? "login" : "consent", html, status: response.status });
    const form = isLogin
      ? new URLSearchParams({ username: opts.username, password: opts.password })
      : new URLSearchParams({ decision: opts.decision ?? "approve" });
    if (isLogin && pages.filter((page) => page.kind === "login").length > 1) {
      throw new Error(`sign-in refused: ${/role="alert">([^<]*)/.exec(html)?.[1] ?? "no message"}`);
    }
    next = {
      url: formUrl,
      init: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() },
    };
  }
  throw new Error("too many redirects in the authorization flow");
}

export function newCookieJar(): CookieJar {
  return new CookieJar();
}
