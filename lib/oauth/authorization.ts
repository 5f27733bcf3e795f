import "server-only";
import { createHash, randomBytes } from "node:crypto";
import * as client from "openid-client";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { UserFacingError, type Hint } from "@/lib/errors";
import { explainOAuthError } from "./error-catalogue";
import { presetDefaults, type Preset } from "./presets";
import { configurationFor } from "./token-request";

const STATE_LIFETIME_MS = 10 * 60 * 1000;
const hashState = (state: string) => createHash("sha256").update(state).digest("hex");

export function redirectUri(): string {
  return `${config().publicUrl}/api/oauth/callback`;
}

export type AuthorizationMode = "popup" | "redirect";

/**
 * Starts an authorization-code flow: a single-use state bound to this admin and connection (stored
 * hashed, 10 minutes), PKCE S256 always, a nonce for OpenID scopes. Parameters already in the
 * Authorize URL are kept unless we set the same one.
 */
export async function startAuthorization(connectionId: string, userId: string, mode: AuthorizationMode, returnTo: string): Promise<string> {
  const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId }, include: { application: true } });
  const app = conn.application;
  if (conn.grantType !== "authorization_code") throw new UserFacingError("This connection does not use an interactive sign-in.");
  if (!app.authorizeUrl) throw new UserFacingError("Enter the Authorize URL first.", { field: "authorizeUrl" });
  const state = randomBytes(32).toString("base64url");
  const verifier = client.randomPKCECodeVerifier();
  const nonce = /(^|\s)openid(\s|$)/.test(conn.scope) ? client.randomNonce() : null;
  await db().oAuthState.create({
    data: {
      stateHash: hashState(state),
      userId,
      connectionId,
      codeVerifier: verifier,
      nonce,
      mode,
      returnTo: returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/oauth",
      expiresAt: new Date(Date.now() + STATE_LIFETIME_MS),
    },
  });
  const url = new URL(app.authorizeUrl);
  const params: Record<string, string | null> = {
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: redirectUri(),
    scope: conn.scope || null,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
    login_hint: conn.loginHint,
    ...presetDefaults(app.preset as Preset).authorizeParams,
  };
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  return url.toString();
}

export type AuthorizationResult =
  | { ok: true; connectionId: string; mode: AuthorizationMode; returnTo: string }
  | { ok: false; error: string; code: string; connectionId?: string; mode: AuthorizationMode; returnTo: string; hint?: Hint };

/** Completes the flow at the callback. Every refusal is an ok:false result, never an exception. */
export async function completeAuthorization(callbackUrl: URL, userId: string | null): Promise<AuthorizationResult> {
  const q = callbackUrl.searchParams;
  const state = q.get("state");
  const fail = (code: string, error: string, extra: Partial<AuthorizationResult> = {}): AuthorizationResult =>
    ({ ok: false, code, error, mode: "popup", returnTo: "/oauth", ...extra }) as AuthorizationResult;
  if (!state) return fail("state_missing", "The sign-in response carried no state. Start again from the settings page.");
  // Reading and deleting in one step makes the state single-use, also against two racing callbacks.
  const row = await db().oAuthState.findUnique({ where: { stateHash: hashState(state) } });
  const { count } = row ? await db().oAuthState.deleteMany({ where: { id: row.id } }) : { count: 0 };
  if (!row || count !== 1) return fail("state_invalid", "This sign-in link is not valid or was already used. Start again from the settings page.");
  const ctx = { connectionId: row.connectionId, mode: row.mode as AuthorizationMode, returnTo: row.returnTo };
  if (row.expiresAt.getTime() < Date.now()) return fail("state_expired", "The sign-in took longer than 10 minutes. Start again.", ctx);
  if (!userId || row.userId !== userId) return fail("state_foreign", "This sign-in was started in another administrator's session.", ctx);
  const providerError = q.get("error");
  if (providerError) {
    const description = q.get("error_description") ?? "";
    const hint = explainOAuthError({ error: providerError, error_description: description });
    return fail(providerError, `The provider answered: ${providerError}${description ? ` — ${description}` : ""}`, { ...ctx, hint: hint ?? undefined });
  }
  const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: row.connectionId }, include: { application: true } });
  const iss = q.get("iss");
  if (iss && conn.application.issuer && iss !== conn.application.issuer) {
    return fail("issuer_mismatch", `The response came from ${iss}, not from the configured issuer (mix-up attack protection, RFC 9207).`, ctx);
  }
  const code = q.get("code");
  if (!code) return fail("code_missing", "The sign-in response carried no authorization code.", ctx);
  try {
    const cfg = await configurationFor(conn.application);
    const response = await client.genericGrantRequest(cfg, "authorization_code", { code, redirect_uri: redirectUri(), code_verifier: row.codeVerifier });
    const claims = response.claims();
    if (row.nonce && claims && claims.nonce !== row.nonce) {
      return fail("nonce_mismatch", "The ID token does not carry the nonce of this sign-in (replayed or injected response). Start again.", ctx);
    }
    const signedInAs = [claims?.email, claims?.preferred_username, claims?.upn].find((v): v is string => typeof v === "string");
    const now = Date.now();
    await db().oAuthConnection.update({
      where: { id: conn.id },
      data: {
        accessToken: response.access_token,
        accessTokenExpiresAt: new Date(now + (response.expires_in ?? 3600) * 1000),
        refreshToken: response.refresh_token ?? null,
        refreshTokenIssuedAt: response.refresh_token ? new Date(now) : null,
        refreshTokenExpiresAt: typeof response.refresh_token_expires_in === "number" ? new Date(now + response.refresh_token_expires_in * 1000) : null,
        grantedScope: response.scope ?? conn.scope,
        tokenUser: signedInAs ?? null,
        status: "connected",
        statusReason: null,
        statusHint: null,
        tokenVersion: { increment: 1 },
      },
    });
    return { ok: true, ...ctx };
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      const hint = explainOAuthError({ error: error.error, error_description: error.error_description, error_codes: (error.cause as { error_codes?: number[] })?.error_codes });
      return fail(error.error, `The token endpoint refused the code: ${error.error}${error.error_description ? ` — ${error.error_description}` : ""}`, { ...ctx, hint: hint ?? undefined });
    }
    throw error;
  }
}
