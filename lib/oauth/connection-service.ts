import "server-only";
// OAuth applications and connections in the database. One application (client registration) serves many
// connections; its own fields (secret, endpoints) are changed on the application, never by a connection's save.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/forms";
import { log } from "@/lib/log";
import { oauthFieldsSchema, type OAuthFieldsForEdit, type OAuthFieldsValues } from "./connection-schema";
import { applicationData, changedApplicationFields, changedDestination, requireSecrets } from "./application-fields";
import { applicationFields } from "./application-view";
import { expiryWarnings, type ExpiryWarning } from "./expiry-warnings";
import { identityMismatch, mailboxIdentities } from "./consent-identity";
import {
  parsePending,
  serializePending,
  withPending,
  type ConnectionSettings,
  type PendingChange,
} from "./pending-change";
import { revokeTokens } from "./revocation";
import { listApplications } from "./application-list";

export type Direction = "incoming" | "outgoing";

/** Fields whose change invalidates the tokens already issued: the grant must be obtained again. */
const GRANT_FIELDS = ["grantType", "scope", "subject"] as const;
const APP_GRANT_FIELDS = [
  "clientId",
  "tokenUrl",
  "authorizeUrl",
  "revocationUrl",
  "issuer",
  "tenant",
  "cloud",
] as const;

function parseFields(input: unknown, prefix: string): OAuthFieldsValues {
  const parsed = oauthFieldsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fieldErrors = Object.fromEntries(
    Object.entries(fieldErrorsOf(parsed.error)).map(([k, v]) => [`${prefix}${k}`, v]),
  );
  throw new UserFacingError("Please correct the highlighted OAuth fields.", { fieldErrors });
}

type AppRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["oAuthApplication"]["findUnique"]>>>;

/**
 * The stored application the fields belong to: the one picked, the connection's own, or one with the same
 * provider, client ID and tenant. Null: a new application. An application is changed only on its own page
 * when other connections use it, and another one with the same client ID is never created silently.
 */
async function resolveApplication(
  v: OAuthFieldsValues,
  existing: { id: string; application: AppRow } | null,
  prefix: string,
): Promise<{ app: AppRow | null; changed: string[] }> {
  let app: AppRow | null = existing?.application ?? null;
  if (v.applicationId && v.applicationId !== app?.id) {
    app = await db().oAuthApplication.findUnique({ where: { id: v.applicationId } });
    if (!app) throw new UserFacingError("The chosen OAuth application no longer exists. Reload the page.");
  }
  const twin = await db().oAuthApplication.findFirst({
    where: { preset: v.preset, clientId: v.clientId, tenant: v.tenant, ...(app ? { id: { not: app.id } } : {}) },
  });
  const renamed = app && (app.preset !== v.preset || app.clientId !== v.clientId || app.tenant !== v.tenant);
  if (twin && (app ? renamed : changedApplicationFields(twin, v).length)) {
    throw new UserFacingError(
      `An OAuth application with this client ID is already stored (${twin.name}). Pick it under OAuth application to use it; its own fields are changed on the application's page.`,
      {
        fieldErrors: { [`${prefix}clientId`]: "Already stored as an application: pick it under OAuth application" },
      },
    );
  }
  if (!app) return { app: twin, changed: [] };
  const changed = changedApplicationFields(app, v);
  const others = await db().oAuthConnection.count({
    where: { applicationId: app.id, ...(existing ? { id: { not: existing.id } } : {}) },
  });
  if (changed.length && (others > 0 || app.id !== existing?.application.id)) {
    const owner = `the application "${app.name}"${others ? `, which ${others} other connection${others === 1 ? "" : "s"} use` : ""}`;
    throw new UserFacingError(
      `These fields belong to ${owner}. Change them on the application's page (OAuth applications), where the change applies to every connection.`,
      {
        fieldErrors: Object.fromEntries(
          changed.map((f) => [
            `${prefix}${f}`,
            "Belongs to the shared application: change it on the application's page",
          ]),
        ),
      },
    );
  }
  return { app, changed };
}

/**
 * Saves the OAuth fields of a form as a connection for one mailbox and direction, on the application they name
 * (created when new). A change to a working interactive grant is only staged: it is applied with the tokens of
 * a successful consent, so a failed sign-in leaves the old grant working. `needsConsent` says the admin must
 * sign in in the consent popup now.
 */
export async function saveOAuthConnection(
  input: unknown,
  opts: {
    userId: string;
    existingConnectionId?: string | null;
    direction: Direction;
    mailbox?: string;
    fieldPrefix?: string;
  },
): Promise<{ connectionId: string; needsConsent: boolean; staged: boolean }> {
  const prefix = opts.fieldPrefix ?? "oauth.";
  const v = parseFields(input, prefix);
  const connectionId = opts.existingConnectionId ?? v.connectionId ?? null;
  const existing = connectionId
    ? await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } })
    : null;
  if (connectionId && !existing) throw new UserFacingError("This OAuth connection no longer exists. Reload the page.");

  const { app, changed } = await resolveApplication(v, existing, prefix);
  const moved = app ? changedDestination(app, v, v.grantType) : null;
  const sameConnection = existing && app && existing.applicationId === app.id;
  requireSecrets(
    v,
    { ...(app ?? {}), ...(sameConnection ? { password: existing.password, refreshToken: existing.refreshToken } : {}) },
    moved,
    prefix,
  );

  const loginHint = v.loginHint || opts.mailbox || null;
  const settings: ConnectionSettings = {
    direction: opts.direction,
    grantType: v.grantType,
    scope: v.scope,
    loginHint,
    subject: v.subject || null,
  };
  const grantChanged =
    !existing ||
    !app ||
    existing.applicationId !== app.id ||
    GRANT_FIELDS.some((f) => (existing[f] ?? "") !== v[f]) ||
    APP_GRANT_FIELDS.some((f) => (existing.application[f] ?? "") !== v[f]) ||
    Boolean(v.password) ||
    Boolean(v.refreshToken) ||
    (v.grantType === "authorization_code" && existing.loginHint !== loginHint);
  const appData = applicationData(v);
  const working = existing?.status === "connected" && Boolean(existing.refreshToken || existing.accessToken);
  if (
    existing &&
    grantChanged &&
    working &&
    existing.grantType === "authorization_code" &&
    v.grantType === "authorization_code"
  ) {
    const change: PendingChange = {
      ...(app && app.id !== existing.applicationId ? { applicationId: app.id } : {}),
      ...(app && changed.length ? { application: appData } : {}),
      ...(!app ? { application: appData } : {}),
      connection: settings,
    };
    await db().oAuthConnection.update({
      where: { id: existing.id },
      data: { pendingChange: serializePending(change) },
    });
    return { connectionId: existing.id, needsConsent: true, staged: true };
  }

  const savedApp = !app
    ? await db().oAuthApplication.create({ data: { ...appData, scope: v.scope } })
    : changed.length
      ? await db().oAuthApplication.update({ where: { id: app.id }, data: appData })
      : app;
  const connData = {
    applicationId: savedApp.id,
    ...settings,
    pendingChange: null,
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
          refreshToken:
            v.refreshToken || (v.grantType === "refresh_token" && !moved ? (existing?.refreshToken ?? null) : null),
          refreshTokenIssuedAt: v.refreshToken ? new Date() : null,
          refreshTokenExpiresAt: null,
          tokenUser: null,
          tokenVersion: { increment: 1 },
        }
      : {}),
  };
  const conn = existing
    ? await db().oAuthConnection.update({ where: { id: existing.id }, data: connData })
    : await db().oAuthConnection.create({ data: { ...connData, tokenVersion: 0 } });
  if (existing && existing.applicationId !== savedApp.id) await deleteApplicationIfUnused(existing.applicationId);
  const needsConsent = v.grantType === "authorization_code" && (grantChanged || conn.status !== "connected");
  return { connectionId: conn.id, needsConsent, staged: false };
}

async function deleteApplicationIfUnused(applicationId: string): Promise<void> {
  await db().oAuthApplication.deleteMany({ where: { id: applicationId, connections: { none: {} } } });
}

export async function getConnectionForEdit(connectionId: string): Promise<OAuthFieldsForEdit | null> {
  const stored = await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } });
  if (!stored) return null;
  // A change waiting for its consent is what the admin last saved: the form shows it.
  const pending = parsePending(stored.pendingChange);
  const movedTo = pending?.applicationId
    ? await db().oAuthApplication.findUnique({ where: { id: pending.applicationId } })
    : null;
  const { application, connection: conn } = withPending(stored.application, stored, pending, movedTo);
  const others = await db().oAuthConnection.count({ where: { applicationId: application.id, id: { not: conn.id } } });
  return {
    ...applicationFields(application),
    connectionId: conn.id,
    applicationId: application.id,
    applicationName: application.name,
    applicationShared: others,
    pendingChange: Boolean(pending),
    grantType: conn.grantType as OAuthFieldsForEdit["grantType"],
    scope: conn.scope,
    subject: conn.subject ?? "",
    loginHint: conn.loginHint ?? "",
    hasPassword: Boolean(conn.password),
    hasRefreshToken: Boolean(conn.refreshToken),
  };
}

/** Forgets a change that waits for consent: the connection keeps working as before. */
export async function discardPendingChange(connectionId: string): Promise<void> {
  await db().oAuthConnection.updateMany({ where: { id: connectionId }, data: { pendingChange: null } });
}

/** Deletes a connection, revoking its tokens first where the provider supports revocation. */
export async function deleteConnection(connectionId: string): Promise<{ revoked: boolean }> {
  const conn = await db().oAuthConnection.findUnique({ where: { id: connectionId }, include: { application: true } });
  if (!conn) throw new UserFacingError("This OAuth connection no longer exists.");
  let revoked = false;
  try {
    revoked = await revokeTokens(conn.application, conn);
  } catch (error) {
    // The tokens are deleted either way; the provider keeps them until they expire.
    log.warn("token revocation failed; deleting the connection anyway", {
      connectionId,
      error: error instanceof Error ? error.message : String(error),
    });
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
        out.push({
          connectionId: conn.id,
          warning: {
            kind: "reconnect_needed",
            severity: "error",
            due: conn.updatedAt,
            message: `The OAuth connection for ${who} needs to be reconnected: ${conn.statusReason ?? "the grant is no longer valid"}.`,
          },
        });
      }
      for (const w of expiryWarnings(
        { application: { ...application, secretExpiresOn: null }, connection: conn },
        now,
      )) {
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
    pendingChange: Boolean(conn.pendingChange),
    tokenUser: conn.tokenUser,
    // Only an interactive sign-in can pick the wrong account; other grants name their mailbox themselves.
    identity:
      conn.status === "connected" && conn.grantType === "authorization_code"
        ? identityMismatch(conn.tokenUser, await mailboxIdentities(conn.id, conn.loginHint))
        : null,
    warnings: expiryWarnings({ application: conn.application, connection: conn }, now),
  };
}
