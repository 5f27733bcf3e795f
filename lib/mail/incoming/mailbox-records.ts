import "server-only";
// Incoming mailboxes in the database: list, load for the edit form, save from the form (a blank password keeps
// the stored one; a changed server needs the secret again) and delete.
import { db, readRows } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";
import { removeMailboxFiles } from "@/lib/maintenance";
import type { MailboxFormValues } from "./mailbox-form-schema";
import { rowValues } from "./mailbox-row";
import { forgetMailboxOAuth, requireRetypedGrantSecret, saveMailboxOAuth } from "./oauth-bridge";
import { passwordFor, serverChanged } from "./stored-secret-rule";

/** The mailbox as the edit form shows it: never the password, only whether one is stored. */
export type MailboxForEdit = Omit<MailboxFormValues, "password" | "oauth" | "emailAddresses"> & {
  id: string;
  emailAddresses: string;
  hasPassword: boolean;
  connectionId: string | null;
};

export type MailboxListRow = {
  id: string;
  name: string;
  protocol: string;
  host: string;
  port: number;
  connectUrl: string | null;
  username: string;
  status: string;
  lastFetchAt: Date | null;
  nextFetchAt: Date | null;
  mailsFetched: number;
  lastError: string | null;
  lastErrorHint: string | null;
  authType: string;
  connection: { status: string; accessTokenExpiresAt: Date | null } | null;
};

/** Every mailbox with its state, by name: plain SQL (lib/db/raw-read.ts), the dashboard and Incoming read it. */
export async function listMailboxes(): Promise<MailboxListRow[]> {
  const rows = await readRows<
    Omit<MailboxListRow, "connection"> & { connectionStatus: string | null; accessTokenExpiresAt: Date | null }
  >(
    `SELECT m."id", m."name", m."protocol", m."host", m."port", m."connectUrl", m."username", m."status",
       m."lastFetchAt", m."nextFetchAt", m."mailsFetched", m."lastError", m."lastErrorHint", m."authType",
       c."status" AS "connectionStatus", c."accessTokenExpiresAt"
     FROM "IncomingMailbox" m LEFT JOIN "OAuthConnection" c ON c."id" = m."connectionId"
     ORDER BY m."name" ASC`,
    [],
    { port: "int", lastFetchAt: "date", nextFetchAt: "date", mailsFetched: "int", accessTokenExpiresAt: "date" },
  );
  return rows.map(({ connectionStatus, accessTokenExpiresAt, ...mailbox }) => ({
    ...mailbox,
    connection: connectionStatus === null ? null : { status: connectionStatus, accessTokenExpiresAt },
  }));
}

/** Names only, for filters: no status, no connection (listMailboxes reads both). Plain SQL (lib/db/raw-read.ts). */
export async function listMailboxNames(): Promise<{ id: string; name: string }[]> {
  return readRows(`SELECT "id", "name" FROM "IncomingMailbox" ORDER BY "name" ASC`);
}

export async function getMailboxForEdit(id: string): Promise<MailboxForEdit | null> {
  const row = await db().incomingMailbox.findUnique({ where: { id } });
  if (!row) return null;
  const { password: _never, emailAddresses, ...values } = rowValues(row);
  return {
    ...values,
    id: row.id,
    emailAddresses: emailAddresses.join(", "),
    hasPassword: Boolean(row.password),
    connectionId: row.connectionId,
  };
}

export async function saveMailbox(
  values: MailboxFormValues,
  userId: string,
): Promise<{ id: string; connectionId: string | null; needsConsent: boolean }> {
  const existing = values.id ? await db().incomingMailbox.findUnique({ where: { id: values.id } }) : null;
  if (values.id && !existing) throw new UserFacingError("This mailbox no longer exists.");
  let connectionId = existing?.connectionId ?? null;
  let needsConsent = false;
  const movedServer = serverChanged(values, existing);
  // A blank password keeps the stored one only for the server it was saved for (passwordFor refuses otherwise).
  if (values.authType === "password" && !values.password && existing?.password && movedServer)
    passwordFor(values, existing);
  let abandoned: string | null = null;
  if (values.authType === "oauth") {
    if (!values.oauth) throw new UserFacingError("Fill in the OAuth fields.", { field: "oauth" });
    // The old grant's tokens never go to a changed server: the mailbox gets a connection of its own, which a
    // fresh consent (or, for grants without one, the secret typed again) fills.
    if (movedServer && connectionId) {
      requireRetypedGrantSecret(values.oauth);
      abandoned = connectionId;
      connectionId = null;
    }
    const saved = await saveMailboxOAuth(values.oauth, {
      userId,
      existingConnectionId: connectionId,
      mailbox: values.emailAddresses[0] ?? values.username,
      fresh: abandoned !== null,
    });
    connectionId = saved.connectionId;
    needsConsent = saved.needsConsent;
  }
  const data = {
    name: values.name,
    protocol: values.protocol,
    startTls:
      values.protocol === "imap" || values.protocol === "pop"
        ? values.startTls
        : values.protocol === "imaps" || values.protocol === "pops",
    authType: values.authType,
    host: values.host,
    port: values.port,
    connectUrl: values.connectUrl || null,
    username: values.username,
    emailAddresses: JSON.stringify(values.emailAddresses),
    folder: values.folder,
    afterFetch: values.afterFetch,
    moveToFolder: values.afterFetch === "move" ? values.moveToFolder : null,
    fetchIntervalMin: values.fetchIntervalMin,
    debug: values.debug,
    disableNewRequests: values.disableNewRequests,
    connectionId: values.authType === "oauth" ? connectionId : (existing?.connectionId ?? null),
    // A blank password keeps the stored one; switching to OAuth forgets it.
    ...(values.authType === "password" ? (values.password ? { password: values.password } : {}) : { password: null }),
  };
  const row = existing
    ? await db().incomingMailbox.update({ where: { id: existing.id }, data })
    : await db().incomingMailbox.create({ data });
  if (abandoned) await forgetMailboxOAuth(abandoned);
  return { id: row.id, connectionId, needsConsent };
}

/**
 * Deletes a mailbox with its fetch history and fetched mail (rows and stored files); its OAuth connection goes
 * too (tokens revoked) unless shared. Files a fetch still writes after this are swept by the maintenance job.
 */
export async function deleteMailbox(id: string): Promise<void> {
  const row = await db().incomingMailbox.findUnique({ where: { id }, select: { connectionId: true } });
  if (!row) throw new UserFacingError("This mailbox no longer exists.");
  await db().incomingMailbox.delete({ where: { id } });
  await removeMailboxFiles(id).catch((error: unknown) => logUnexpected("removing a deleted mailbox's files", error));
  if (row.connectionId) await forgetMailboxOAuth(row.connectionId);
}
