// Test helpers for the rig's authorization server, usable from any process that has the RigInfo: tokens by
// the password grant, and the control API (revoke, token lifetime, key rotation, forced failures, reset).
import type { RigClient, RigInfo } from "./info";

type AuthRig = Pick<RigInfo, "auth">;

export type TokenResponse = {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  [field: string]: unknown;
};

export type ForcedFailureRequest = {
  path: "token" | "authorize";
  style?: "microsoft" | "google" | "standard";
  /** "AADSTS50076" (Microsoft style) or an OAuth error code such as "invalid_grant" */
  code: string;
  /** only this client's next request fails (keeps parallel tests apart) */
  clientId?: string;
  error?: string;
  description?: string;
  status?: number;
};

/** The address of a rig user given by name ("alice") or address. */
export function userAddress(rig: AuthRig, user: string): string {
  return rig.auth.users[user]?.username ?? user.toLowerCase();
}

/**
 * A token for a rig user by the resource-owner password grant (Microsoft ROPC). Add `offline_access` to
 * the scope for a refresh token. The password comes from the RigInfo.
 */
export async function getToken(
  rig: AuthRig,
  opts: { user: string; scope: string; client?: RigClient },
): Promise<TokenResponse> {
  const address = userAddress(rig, opts.user);
  const account = Object.values(rig.auth.users).find((candidate) => candidate.username === address);
  if (!account) throw new Error(`no rig user ${opts.user}`);
  const client = opts.client ?? rig.auth.clients.ropc;
  return tokenRequest(rig, client, {
    grant_type: "password",
    username: account.username,
    password: account.password,
    scope: opts.scope,
  });
}

/** A new access (and rotated refresh) token from a refresh token. */
export async function refreshToken(
  rig: AuthRig,
  opts: { refreshToken: string; client?: RigClient; scope?: string },
): Promise<TokenResponse> {
  const client = opts.client ?? rig.auth.clients.ropc;
  return tokenRequest(rig, client, {
    grant_type: "refresh_token",
    refresh_token: opts.refreshToken,
    ...(opts.scope ? { scope: opts.scope } : {}),
  });
}

async function tokenRequest(rig: AuthRig, client: RigClient, params: Record<string, string>): Promise<TokenResponse> {
  if (client.tokenEndpointAuthMethod !== "client_secret_post" || !client.clientSecret) {
    throw new Error(
      `auth-client helpers need a client_secret_post client; ${client.clientId} uses ${client.tokenEndpointAuthMethod}`,
    );
  }
  const response = await fetch(rig.auth.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ ...params, client_id: client.clientId, client_secret: client.clientSecret }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(
      `token request (${params.grant_type}) failed: ${response.status} ${body.error} ${body.error_description ?? ""}`,
    );
  return body as TokenResponse;
}

/** What the rig's servers learn about a token (the introspection extension). */
export async function introspectToken(
  rig: AuthRig,
  token: string,
  resource: "mail" | "graph" | "ews",
  user?: string,
): Promise<Record<string, unknown>> {
  const url = new URL(`${rig.auth.introspectionUrl}/${resource}`);
  if (user) url.searchParams.set("user", user);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function control(
  rig: AuthRig,
  action: string,
  body: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(`${rig.auth.controlUrl}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`auth control ${action} failed: ${response.status} ${answer.error}`);
  return answer;
}

/** Revokes the grants, refresh tokens and access tokens of a user (name or address) and/or a client. */
export async function revoke(
  rig: AuthRig,
  who: { user?: string; clientId?: string },
): Promise<{ grants: number; tokens: number }> {
  const answer = await control(rig, "revoke", {
    user: who.user ? userAddress(rig, who.user) : undefined,
    clientId: who.clientId,
  });
  return { grants: Number(answer.grants), tokens: Number(answer.tokens) };
}

/** Lifetime of access tokens issued from now on (for every client, or one client). */
export async function setTtl(
  rig: AuthRig,
  accessTokenSeconds: number,
  opts: { clientId?: string; refreshTokenSeconds?: number } = {},
): Promise<void> {
  await control(rig, "ttl", { accessTokenSeconds, ...opts });
}

/** A new signing key; tokens signed with older keys keep working unless `retireOld`. Returns the new kid. */
export async function rotateKeys(rig: AuthRig, opts: { retireOld?: boolean } = {}): Promise<string> {
  const answer = await control(rig, "rotate-keys", opts);
  return String(answer.kid);
}

/** Makes the next matching authorize or token request fail with the given error. */
export async function failNext(rig: AuthRig, failure: ForcedFailureRequest): Promise<void> {
  await control(rig, "fail-next", failure);
}

/** The next `count` (default 1) token requests of the client (or of any client) are answered after `delayMs`. */
export async function slowNext(
  rig: AuthRig,
  opts: { delayMs: number; count?: number; clientId?: string },
): Promise<void> {
  await control(rig, "slow", opts);
}

/** How many token requests of this grant type (default refresh_token) the client has made since the rig started. */
export async function tokenRequestCount(rig: AuthRig, clientId: string, grantType = "refresh_token"): Promise<number> {
  const answer = await control(rig, "token-requests", { clientId, grantType });
  return Number(answer.count);
}

/** Back to default token lifetimes, no queued failures or slow answers (tokens and keys stay). */
export async function resetAuth(rig: AuthRig): Promise<void> {
  await control(rig, "reset");
}
