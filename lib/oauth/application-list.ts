import "server-only";
// The applications with their connections and mailboxes, for the OAuth page and the dashboard's warnings: plain
// SQL (lib/db/raw-read.ts) of columns that hold no secret. The ORM's nested select was three model queries,
// about 1.5–2 ms of CPU each, on every dashboard visit.
import { readRows } from "@/lib/db";

export type ApplicationListing = {
  id: string;
  name: string;
  preset: string;
  clientId: string;
  tenant: string;
  tokenUrl: string;
  secretExpiresOn: Date | null;
  connections: ConnectionListing[];
};

export type ConnectionListing = {
  id: string;
  direction: string;
  grantType: string;
  scope: string;
  loginHint: string | null;
  subject: string | null;
  status: string;
  statusReason: string | null;
  statusHint: string | null;
  accessTokenExpiresAt: Date | null;
  refreshTokenIssuedAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  refreshTokenLastUsedAt: Date | null;
  updatedAt: Date;
  incomingMailboxes: { id: string; name: string }[];
};

type ConnectionRow = Omit<ConnectionListing, "incomingMailboxes"> & { applicationId: string };

/** Applications with their connections, oldest first (as created), each with the mailboxes it serves. */
export async function listApplications(): Promise<ApplicationListing[]> {
  const apps = await readRows<Omit<ApplicationListing, "connections">>(
    `SELECT "id", "name", "preset", "clientId", "tenant", "tokenUrl", "secretExpiresOn"
     FROM "OAuthApplication" ORDER BY "createdAt" ASC, "id" ASC`,
    [],
    { secretExpiresOn: "date" },
  );
  if (apps.length === 0) return [];
  const connections = await readRows<ConnectionRow>(
    `SELECT "id", "applicationId", "direction", "grantType", "scope", "loginHint", "subject", "status",
       "statusReason", "statusHint", "accessTokenExpiresAt", "refreshTokenIssuedAt", "refreshTokenExpiresAt",
       "refreshTokenLastUsedAt", "updatedAt"
     FROM "OAuthConnection" ORDER BY "createdAt" ASC, "id" ASC`,
    [],
    {
      accessTokenExpiresAt: "date",
      refreshTokenIssuedAt: "date",
      refreshTokenExpiresAt: "date",
      refreshTokenLastUsedAt: "date",
      updatedAt: "date",
    },
  );
  const mailboxes = connections.length
    ? await readRows<{ id: string; name: string; connectionId: string }>(
        `SELECT "id", "name", "connectionId" FROM "IncomingMailbox" WHERE "connectionId" IS NOT NULL ORDER BY "id" ASC`,
      )
    : [];
  const mailboxesOf = new Map<string, { id: string; name: string }[]>();
  for (const { connectionId, ...mailbox } of mailboxes)
    mailboxesOf.set(connectionId, [...(mailboxesOf.get(connectionId) ?? []), mailbox]);
  const connectionsOf = new Map<string, ConnectionListing[]>();
  for (const { applicationId, ...connection } of connections)
    connectionsOf.set(applicationId, [
      ...(connectionsOf.get(applicationId) ?? []),
      { ...connection, incomingMailboxes: mailboxesOf.get(connection.id) ?? [] },
    ]);
  return apps.map((app) => ({ ...app, connections: connectionsOf.get(app.id) ?? [] }));
}
