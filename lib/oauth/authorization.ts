import "server-only";
import { createHash, randomBytes } from "node:crypto";
import * as client from "openid-client";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { UserFacingError, type Hint } from "@/lib/errors";
import { identityMismatch, mailboxIdentities, signedInIdentity, type IdentityMismatch } from "./consent-identity";
import { discoverMetadata } from "./discovery";
import { explainOAuthError } from "./error-catalogue";
import { parsePending, withPending } from "./pending-change";
import { describeRequestFailure, isNetworkFailure } from "./request-failure";
import { promptFor } from "./prompt";
import { presetDefaults, type Preset } from "./presets";
import { safeReturnPath } from "./return-path";
import { userinfoIdentity } from "./userinfo";
import { configurationFor } from "./token-request";

const STATE_LIFETIME_MS = 10 * 60 * 1000;
const hashState = (state: string) => createHash("sha256").update(state).digest("hex");

export function redirectUri(): string {
  return `${config().publicUrl}/api/oauth/callback`;
}

export type AuthorizationMode = "popup" | "redirect";

/** A path of this console to come back to after the consent; anything else becomes /oauth. */
export const consentReturnPath = (raw: string | null | undefined): string => safeReturnPath(raw, config().publicUrl);

/** The connection with its pending change applied: what a sign-in started now consents to. */
async function effectiveConnection(connectionId: string, pendingText: string | null | undefined) {
  const conn = await db().oAuthConnection.findUniqueOrThrow({
    where: { id: connectionId },
    include: { application: true },
  });
  const pending = parsePending(pendingText);
  const movedTo = pending?.applicationId
    ? await db().oAuthApplication.findUnique({ where: { id: pending.applicationId } })
    : null;
  if (pending?.applicationId && !movedTo)
    throw new UserFacingError(
      "The OAuth application chosen for this connection no longer exists. Save the settings again.",
    );
  return { stored: conn, pending, ...withPending(conn.application, conn, pending, movedTo) };
}

/**
 * Starts an authorization-code flow: a single-use state bound to this admin and connection (stored
 * hashed, 10 minutes), PKCE S256 always, a nonce for OpenID scopes, and the prompt that lets the admin pick
 * the account (`switchAccount`: sign in again even when the provider remembers someone). Parameters already
 * in the Authorize URL are kept unless we set the same one. A pending change is what the sign-in consents to.
 */
export async function startAuthorization(
  connectionId: string,
  userId: string,
  mode: AuthorizationMode,
  returnTo: string,
  opts: { switchAccount?: boolean } = {},
): Promise<string> {
  const {
    stored,
    application: app,
    connection: conn,
  } = await effectiveConnection(
    connectionId,
    (await db().oAuthConnection.findUnique({ where: { id: connectionId }, select: { pendingChange: true } }))
      ?.pendingChange,
  );
  if (conn.grantType !== "authorization_code")
    throw new UserFacingError("This connection does not use an interactive sign-in.");
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
      returnTo: consentReturnPath(returnTo),
      pendingChange: stored.pendingChange,
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
    prompt: promptFor(
      app.preset as Preset,
      url.searchParams.get("prompt"),
      Boolean(opts.switchAccount),
      await supportedPrompts(app),
    ),
  };
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  return url.toString();
}

const DISCOVERY_DEADLINE_MS = 5_000;

/** The prompt values a generic provider lists in its metadata, or null when unknown (no issuer, no answer in time). */
async function supportedPrompts(app: { preset: string; issuer: string | null }): Promise<string[] | null> {
  if (app.preset !== "generic" || !app.issuer) return null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), DISCOVERY_DEADLINE_MS)));
  try {
    const metadata = await Promise.race([discoverMetadata(app.issuer), deadline]);
    const values = (metadata as { prompt_values_supported?: unknown } | null)?.prompt_values_supported;
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string") : null;
  } catch {
    // Without metadata the sign-in still works; the provider just picks the account it remembers.
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export type AuthorizationResult =
  | { ok: true; connectionId: string; mode: AuthorizationMode; returnTo: string; identity?: IdentityMismatch }
  | {
      ok: false;
      error: string;
      code: string;
      connectionId?: string;
      mode: AuthorizationMode;
      returnTo: string;
      hint?: Hint;
    };

const KEPT = "The previous settings and tokens of this connection are kept.";

/**
 * Completes the flow at the callback. Every refusal is an ok:false result, never an exception, and leaves the
 * connection as it was; only a successful exchange stores tokens, together with the change they were consented for.
 */
export async function completeAuthorization(callbackUrl: URL, userId: string | null): Promise<AuthorizationResult> {
  const q = callbackUrl.searchParams;
  const state = q.get("state");
  const fail = (code: string, error: string, extra: Partial<AuthorizationResult> = {}): AuthorizationResult =>
    ({ ok: false, code, error, mode: "popup", returnTo: "/oauth", ...extra }) as AuthorizationResult;
  if (!state)
    return fail("state_missing", "The sign-in response carried no state. Start again from the settings page.");
  // Reading and deleting in one step makes the state single-use, also against two racing callbacks.
  const row = await db().oAuthState.findUnique({ where: { stateHash: hashState(state) } });
  const { count } = row ? await db().oAuthState.deleteMany({ where: { id: row.id } }) : { count: 0 };
  if (!row || count !== 1)
    return fail(
      "state_invalid",
      "This sign-in link is not valid or was already used. Start again from the settings page.",
    );
  const ctx = {
    connectionId: row.connectionId,
    mode: row.mode as AuthorizationMode,
    returnTo: consentReturnPath(row.returnTo),
  };
  if (row.expiresAt.getTime() < Date.now())
    return fail("state_expired", "The sign-in took longer than 10 minutes. Start again.", ctx);
  if (!userId || row.userId !== userId)
    return fail("state_foreign", "This sign-in was started in another administrator's session.", ctx);
  const providerError = q.get("error");
  if (providerError) {
    const description = q.get("error_description") ?? "";
    const hint = explainOAuthError({ error: providerError, error_description: description });
    return fail(
      providerError,
      `The provider answered: ${providerError}${description ? ` — ${description}` : ""}. ${KEPT}`,
      { ...ctx, hint: hint ?? undefined },
    );
  }
  let effective: Awaited<ReturnType<typeof effectiveConnection>>;
  try {
    effective = await effectiveConnection(row.connectionId, row.pendingChange);
  } catch (error) {
    if (error instanceof UserFacingError) return fail("application_gone", error.message, ctx);
    throw error;
  }
  const { application: app, connection: conn, pending, stored } = effective;
  const iss = q.get("iss");
  if (iss && app.issuer && iss !== app.issuer) {
    return fail(
      "issuer_mismatch",
      `The response came from ${iss}, not from the configured issuer (mix-up attack protection, RFC 9207). ${KEPT}`,
      ctx,
    );
  }
  const code = q.get("code");
  if (!code) return fail("code_missing", "The sign-in response carried no authorization code.", ctx);
  let response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  try {
    const cfg = await configurationFor(app);
    response = await client.genericGrantRequest(cfg, "authorization_code", {
      code,
      redirect_uri: redirectUri(),
      code_verifier: row.codeVerifier,
    });
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      const hint = explainOAuthError({
        error: error.error,
        error_description: error.error_description,
        error_codes: (error.cause as { error_codes?: number[] })?.error_codes,
      });
      return fail(
        error.error,
        `The token endpoint refused the code: ${error.error}${error.error_description ? ` — ${error.error_description}` : ""}. ${KEPT}`,
        { ...ctx, hint: hint ?? undefined },
      );
    }
    const reason = describeRequestFailure(error);
    const network = isNetworkFailure(error);
    return fail(
      network ? "token_unreachable" : "token_request_failed",
      `Exchanging the sign-in code at the Access Token URL ${app.tokenUrl} failed: ${reason}. ${KEPT}`,
      {
        ...ctx,
        hint: network
          ? {
              code: "token_unreachable",
              title: "The Access Token URL could not be reached",
              action:
                "Check the Access Token URL (host, port, https) and that this server may reach it, save, and sign in again.",
            }
          : {
              code: "token_request_failed",
              title: "The token endpoint did not answer as an OAuth server",
              action:
                "Check that the Access Token URL is the provider's token endpoint (not its Authorize URL or a web page), save, and sign in again.",
            },
      },
    );
  }
  const claims = response.claims();
  if (row.nonce && claims && claims.nonce !== row.nonce) {
    return fail(
      "nonce_mismatch",
      `The ID token does not carry the nonce of this sign-in (replayed or injected response). Start again. ${KEPT}`,
      ctx,
    );
  }
  const signedInAs =
    signedInIdentity(claims as Record<string, unknown> | undefined) ??
    (await userinfoIdentity(app, response.access_token));
  const now = Date.now();
  await db().$transaction(async (tx) => {
    if (pending?.application) await tx.oAuthApplication.update({ where: { id: app.id }, data: pending.application });
    await tx.oAuthConnection.update({
      where: { id: conn.id },
      data: {
        ...(pending ? { ...pending.connection, applicationId: app.id } : {}),
        // A change saved after this sign-in started waits for its own consent.
        ...(stored.pendingChange === row.pendingChange ? { pendingChange: null } : {}),
        accessToken: response.access_token,
        accessTokenExpiresAt: new Date(now + (response.expires_in ?? 3600) * 1000),
        refreshToken: response.refresh_token ?? null,
        refreshTokenIssuedAt: response.refresh_token ? new Date(now) : null,
        refreshTokenExpiresAt:
          typeof response.refresh_token_expires_in === "number"
            ? new Date(now + response.refresh_token_expires_in * 1000)
            : null,
        grantedScope: response.scope ?? conn.scope,
        tokenUser: signedInAs,
        status: "connected",
        statusReason: null,
        statusHint: null,
        tokenVersion: { increment: 1 },
      },
    });
  });
  if (pending?.applicationId && pending.applicationId !== stored.applicationId) {
    await db().oAuthApplication.deleteMany({ where: { id: stored.applicationId, connections: { none: {} } } });
  }
  const identity = identityMismatch(signedInAs, await mailboxIdentities(conn.id, conn.loginHint));
  return { ok: true, ...ctx, ...(identity ? { identity } : {}) };
}
