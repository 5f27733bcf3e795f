import "server-only";
// OAuth applications and connections in the database. One application (client registration) serves many
// connections, so a new secret entered on any connection renews it for all of them.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/forms";
import { log } from "@/lib/log";
import { oauthFieldsSchema, type OAuthFieldsForEdit, type OAuthFieldsValues } from "./connection-schema";
import { expiryWarnings, type ExpiryWarning } from "./expiry-warnings";
import { PRESET_LABELS, type Preset } from "./presets";
import { revokeTokens } from "./revocation";

export type Direction = "incoming" | "outgoing";

/** Fields whose change invalidates the tokens already issued: the grant must be obtained again. */
const GRANT_FIELDS = ["grantType", "scope", "subject"] as const;
const APP_GRANT_FIELDS = ["clientId", "tokenUrl", "authorizeUrl", "tenant", "cloud"] as const;

function parseFields(input: unknown, prefix: string): OAuthFieldsValues {
  const parsed = oauthFieldsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fieldErrors = Object.fromEntries(Object.entries(fieldErrorsOf(parsed.error)).map(([k, v]) => [`${prefix}${k}`, v]));
  throw new UserFacingError("Please correct the highlighted OAuth fields.", { fieldErrors });
}

function applicationData(v: OAuthFieldsValues) {
  return {
    name: `${PRESET_LABELS[v.preset]} · ${v.clientId}`,
    preset: v.preset,
    cloud: v.cloud,
    tenant: v.tenant,
    clientId: v.clientId,
    clientAuthMethod: v.clientAuthMethod,
    privateKeyId: v.privateKeyId || null,
    issuer: v.issuer || null,
    authorizeUrl: v.authorizeUrl,
    tokenUrl: v.tokenUrl,
    revocationUrl: v.revocationUrl || null,
    tokenExpiryMarginSec: v.tokenExpiryMarginSec,
    secretExpiresOn: v.secretExpiresOn ? new Date(`${v.secretExpiresOn}T00:00:00Z`) : null,
    // Write-only fields: only a typed value replaces the stored one.
    ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}),
    ...(v.privateKey ? { privateKey: v.privateKey } : {}),
  };
}

/**
 * Saves the OAuth fields of a form as an application (found by provider, client ID, tenant and token URL, or
 * created) and a connection for one mailbox and direction. `needsConsent` says the admin must sign in in the
 * consent popup now: an interactive grant that is new, changed or not connected.
 */
export async function saveOAuthConnection(
  input: unknown,
  opts: { userId: string; existingConnectionId?: string | null; direction: Direction; mailbox?: string; fieldPrefix?: string },
): Promise<{ connectionId: string; needsConsent: boolean }> {
  const v = parseFields(input, opts.fieldPrefix ?? "oauth.");
  const connectionId = opts.existingConnectionId ?? v.connectionId ?? null;
  const existing = connectionId ? await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } }) : null;
  if (connectionId && !existing) throw new UserFacingError("This OAuth connection no longer exists. Reload the page.");

  const same = (app: { preset: string; clientId: string; tenant: string; tokenUrl: string }) =>
    app.preset === v.preset && app.clientId === v.clientId && app.tenant === v.tenant && app.tokenUrl === v.tokenUrl;
  const app =
    existing && same(existing.application)
      ? existing.application
      : await db().oAuthApplication.findFirst({ where: { preset: v.preset, clientId: v.clientId, tenant: v.tenant, tokenUrl: v.tokenUrl } });

  const appData = applicationData(v);
  const secretNeeded = (v.clientAuthMethod === "client_secret_post" || v.clientAuthMethod === "client_secret_basic") && v.grantType !== "jwt_bearer";
  const prefix = opts.fieldPrefix ?? "oauth.";
  if (secretNeeded && !v.clientSecret && !app?.clientSecret) {
    throw new UserFacingError("Enter the client secret.", { fieldErrors: { [`${prefix}clientSecret`]: "Enter the client secret" } });
  }
  if ((v.clientAuthMethod === "private_key_jwt" || v.grantType === "jwt_bearer") && !v.privateKey && !app?.privateKey) {
    throw new UserFacingError("Paste the private key.", { fieldErrors: { [`${prefix}privateKey`]: "Paste the private key (PEM) or the service-account JSON key" } });
  }
  if (v.grantType === "password" && !v.password && !existing?.password) {
    throw new UserFacingError("Enter the password of the ROPC user.", { fieldErrors: { [`${prefix}password`]: "Enter the password" } });
  }
  if (v.grantType === "refresh_token" && !v.refreshToken && !existing?.refreshToken) {
    throw new UserFacingError("Paste the refresh token.", { fieldErrors: { [`${prefix}refreshToken`]: "Paste the refresh token" } });
  }

  const savedApp = app
    ? await db().oAuthApplication.update({ where: { id: app.id }, data: appData })
    : await db().oAuthApplication.create({ data: appData });

  const loginHint = v.loginHint || opts.mailbox || null;
  const grantChanged =
    !existing ||
    existing.applicationId !== savedApp.id ||
    GRANT_FIELDS.some((f) => (existing[f] ?? "") !== v[f]) ||
    APP_GRANT_FIELDS.some((f) => existing.application[f] !== v[f]) ||
    Boolean(v.password) ||
    Boolean(v.refreshToken) ||
    (v.grantType === "authorization_code" && existing.loginHint !== loginHint);
  const connData = {
    applicationId: savedApp.id,
    direction: opts.direction,
    grantType: v.grantType,
    scope: v.scope,
    loginHint,
    subject: v.subject || null,
    ...(v.password ? { password: v.password } : {}),
    ...(v.grantType === "password" ? {} : { password: null }),
    ...(grantChanged
      ? {
          status: "pending",
          statusReason: null,
          statusHint: null,
          accessToken: null,
          accessTokenExpiresAt: null,
          // A pasted token is the grant itself; otherwise a changed grant forgets the old one.
          refreshToken: v.refreshToken || (v.grantType === "refresh_token" ? existing?.refreshToken ?? null : null),
          refreshTokenIssuedAt: v.refreshToken ? new Date() : null,
          refreshTokenExpiresAt: null,
          tokenVersion: { increment: 1 },
        }
      : {}),
  };
  const conn = existing
    ? await db().oAuthConnection.update({ where: { id: existing.id }, data: connData })
    : await db().oAuthConnection.create({ data: { ...connData, tokenVersion: 0 } });
  if (existing && existing.applicationId !== savedApp.id) await deleteApplicationIfUnused(existing.applicationId);
  const needsConsent = v.grantType === "authorization_code" && (grantChanged || conn.status !== "connected");
  return { connectionId: conn.id, needsConsent };
}

async function deleteApplicationIfUnused(applicationId: string): Promise<void> {
  await db().oAuthApplication.deleteMany({ where: { id: applicationId, connections: { none: {} } } });
}

export async function getConnectionForEdit(connectionId: string): Promise<OAuthFieldsForEdit | null> {
  const conn = await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } });
  if (!conn) return null;
  return {
    ...applicationFields(conn.application),
    connectionId: conn.id,
    grantType: conn.grantType as OAuthFieldsForEdit["grantType"],
    scope: conn.scope,
    subject: conn.subject ?? "",
    loginHint: conn.loginHint ?? "",
    hasPassword: Boolean(conn.password),
    hasRefreshToken: Boolean(conn.refreshToken),
  };
}

/** Applications with their connections, for the OAuth page: status and dates, never a secret. */
export async function listApplications() {
  const apps = await db().oAuthApplication.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true, name: true, preset: true, clientId: true, tenant: true, tokenUrl: true, secretExpiresOn: true,
      connections: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true, direction: true, grantType: true, scope: true, loginHint: true, subject: true, status: true, statusReason: true,
          statusHint: true, accessTokenExpiresAt: true, refreshTokenIssuedAt: true, refreshTokenExpiresAt: true, refreshTokenLastUsedAt: true,
          updatedAt: true, incomingMailboxes: { select: { id: true, name: true } },
        },
      },
    },
  });
  return apps;
}
export type ApplicationListing = Awaited<ReturnType<typeof listApplications>>[number];

/** Deletes a connection, revoking its tokens first where the provider supports revocation. */
export async function deleteConnection(connectionId: string): Promise<{ revoked: boolean }> {
  const conn = await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } });
  if (!conn) throw new UserFacingError("This OAuth connection no longer exists.");
  let revoked = false;
  try {
    revoked = await revokeTokens(conn.application, conn);
  } catch (error) {
    // The tokens are deleted either way; the provider keeps them until they expire.
    log.warn("token revocation failed; deleting the connection anyway", { connectionId, error: error instanceof Error ? error.message : String(error) });
  }
  await db().oAuthConnection.delete({ where: { id: connectionId } });
  await deleteApplicationIfUnused(conn.applicationId);
  return { revoked };
}

/** Every expiry warning across applications and connections, for the dashboard. */
export async function allExpiryWarnings(now = new Date()) {
  const apps = await listApplications();
  const seen = new Set<string>();
  const out: { connectionId: string | null; warning: ExpiryWarning }[] = [];
  for (const app of apps) {
    const application = { name: app.name, preset: app.preset, secretExpiresOn: app.secretExpiresOn };
    for (const w of expiryWarnings({ application }, now)) out.push({ connectionId: null, warning: w });
    for (const conn of app.connections) {
      if (conn.status === "reconnect_needed") {
        const who = conn.loginHint ?? conn.subject ?? "a mailbox";
        out.push({ connectionId: conn.id, warning: { kind: "reconnect_needed", severity: "error", due: conn.updatedAt, message: `The OAuth connection for ${who} needs to be reconnected: ${conn.statusReason ?? "the grant is no longer valid"}.` } });
      }
      for (const w of expiryWarnings({ application: { ...application, secretExpiresOn: null }, connection: conn }, now)) {
        if (!seen.has(`${conn.id}:${w.kind}`)) out.push({ connectionId: conn.id, warning: w });
        seen.add(`${conn.id}:${w.kind}`);
      }
    }
  }
  return out;
}

/** The connection's state and warnings, for its own page. */
export async function getConnectionStatus(connectionId: string, now = new Date()) {
  const conn = await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } });
  if (!conn) return null;
  return {
    status: conn.status,
    statusReason: conn.statusReason,
    statusHint: conn.statusHint,
    grantType: conn.grantType,
    accessTokenExpiresAt: conn.accessTokenExpiresAt,
    updatedAt: conn.updatedAt,
    warnings: expiryWarnings({ application: conn.application, connection: conn }, now),
  };
}

type ApplicationRow = Awaited<ReturnType<ReturnType<typeof db>["oAuthApplication"]["findUniqueOrThrow"]>>;

/** The application's part of the form, without its secrets (only whether they are stored). */
function applicationFields(app: ApplicationRow) {
  return {
    preset: app.preset as Preset,
    cloud: app.cloud as OAuthFieldsForEdit["cloud"],
    tenant: app.tenant,
    clientId: app.clientId,
    clientAuthMethod: app.clientAuthMethod as OAuthFieldsForEdit["clientAuthMethod"],
    privateKeyId: app.privateKeyId ?? "",
    authorizeUrl: app.authorizeUrl,
    tokenUrl: app.tokenUrl,
    revocationUrl: app.revocationUrl ?? "",
    issuer: app.issuer ?? "",
    tokenExpiryMarginSec: app.tokenExpiryMarginSec,
    secretExpiresOn: app.secretExpiresOn ? app.secretExpiresOn.toISOString().slice(0, 10) : "",
    hasClientSecret: Boolean(app.clientSecret),
    hasPrivateKey: Boolean(app.privateKey),
  };
}

export type ApplicationChoice = {
  id: string;
  label: string;
  fields: Pick<OAuthFieldsValues, "preset" | "cloud" | "tenant" | "clientId" | "clientAuthMethod" | "privateKeyId" | "authorizeUrl" | "tokenUrl" | "revocationUrl" | "issuer" | "tokenExpiryMarginSec" | "secretExpiresOn">;
  hasClientSecret: boolean;
  hasPrivateKey: boolean;
};

/** Stored applications a form can start from (one Azure app or Google client for every mailbox), without secrets. */
export async function listApplicationChoices(): Promise<ApplicationChoice[]> {
  const apps = await db().oAuthApplication.findMany({ orderBy: { createdAt: "asc" } });
  return apps.map((app) => {
    const { hasClientSecret, hasPrivateKey, ...fields } = applicationFields(app);
    return { id: app.id, label: app.name, fields, hasClientSecret, hasPrivateKey };
  });
}
