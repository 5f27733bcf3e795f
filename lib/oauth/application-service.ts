import "server-only";
// The application page: the one place where a client registration's own fields (secret, endpoints, default
// scope) are changed, for every connection that uses it.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/forms";
import { applicationData, changedApplicationFields, changedDestination, requireSecrets } from "./application-fields";
import { applicationSchema, newApplicationSchema, type ApplicationValues } from "./application-schema";
import { applicationFields } from "./application-view";

const CLIENT_FIELDS = ["preset", "cloud", "tenant", "clientId"] as const;

export async function getApplicationForEdit(applicationId: string) {
  const app = await db().oAuthApplication.findUnique({
    where: { id: applicationId },
    include: {
      connections: {
        orderBy: { createdAt: "asc" },
        select: { id: true, grantType: true, loginHint: true, subject: true, status: true },
      },
    },
  });
  if (!app) return null;
  return {
    ...applicationFields(app),
    applicationId: app.id,
    name: app.name,
    scope: app.scope,
    connections: app.connections,
  };
}
export type ApplicationForEdit = NonNullable<Awaited<ReturnType<typeof getApplicationForEdit>>>;

/**
 * Stores a client registration that no connection uses yet, so that mailboxes pick it from the list instead of
 * typing its fields. Refused when one with the same provider, client ID and tenant is already stored.
 */
export async function createApplication(input: unknown): Promise<{ applicationId: string }> {
  const parsed = newApplicationSchema.safeParse(input);
  if (!parsed.success)
    throw new UserFacingError("Please correct the highlighted fields.", { fieldErrors: fieldErrorsOf(parsed.error) });
  const v = parsed.data;
  const twin = await db().oAuthApplication.findFirst({
    where: { preset: v.preset, clientId: v.clientId, tenant: v.tenant },
  });
  if (twin)
    throw new UserFacingError(`An application with this client ID is already stored (${twin.name}).`, {
      fieldErrors: { clientId: "Already stored as an application" },
    });
  requireSecrets({ ...v, grantType: undefined }, {}, null, "");
  const app = await db().oAuthApplication.create({ data: applicationData(v) });
  return { applicationId: app.id };
}

/**
 * Saves an application's fields. A stored secret is kept only while its endpoints stay; when the endpoints or
 * the client change, the tokens issued under the old ones are dropped (never sent to the new endpoints):
 * interactive connections then need Reconnect, the others obtain new tokens on their next use.
 */
export async function saveApplication(input: unknown): Promise<{ applicationId: string; connectionsReset: number }> {
  const parsed = applicationSchema.safeParse(input);
  if (!parsed.success)
    throw new UserFacingError("Please correct the highlighted fields.", { fieldErrors: fieldErrorsOf(parsed.error) });
  const v: ApplicationValues = parsed.data;
  const app = await db().oAuthApplication.findUnique({ where: { id: v.applicationId } });
  if (!app) throw new UserFacingError("This OAuth application no longer exists. Reload the page.");
  const twin = await db().oAuthApplication.findFirst({
    where: { preset: v.preset, clientId: v.clientId, tenant: v.tenant, id: { not: app.id } },
  });
  if (twin)
    throw new UserFacingError(`Another application has this client ID (${twin.name}).`, {
      fieldErrors: { clientId: "Already used by another application" },
    });
  const moved = changedDestination(app, v);
  requireSecrets({ ...v, grantType: undefined }, app, moved, "");
  const changed = changedApplicationFields(app, v);
  const resetGrants = Boolean(moved) || CLIENT_FIELDS.some((f) => changed.includes(f));
  let connectionsReset = 0;
  await db().$transaction(async (tx) => {
    await tx.oAuthApplication.update({ where: { id: app.id }, data: applicationData(v) });
    if (!resetGrants) return;
    const cleared = {
      accessToken: null,
      accessTokenExpiresAt: null,
      refreshToken: null,
      refreshTokenIssuedAt: null,
      refreshTokenExpiresAt: null,
      tokenUser: null,
      pendingChange: null,
      tokenVersion: { increment: 1 },
    };
    const reason = "the application's endpoints or client changed: sign in again";
    const interactive = await tx.oAuthConnection.updateMany({
      where: { applicationId: app.id, grantType: { in: ["authorization_code", "refresh_token"] } },
      data: {
        ...cleared,
        status: "reconnect_needed",
        statusReason: reason,
        statusHint: "Press Reconnect (or paste a new refresh token) to obtain a grant from the new endpoints.",
      },
    });
    const others = await tx.oAuthConnection.updateMany({
      where: { applicationId: app.id, grantType: { notIn: ["authorization_code", "refresh_token"] } },
      data: { ...cleared, status: "pending", statusReason: null, statusHint: null },
    });
    connectionsReset = interactive.count + others.count;
  });
  return { applicationId: app.id, connectionsReset };
}
