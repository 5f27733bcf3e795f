import "server-only";
// The stored applications a form can start from, as plain SQL (lib/db/raw-read.ts) of columns that hold no
// secret: the model query with its nested connections was two queries, about 1.5–2 ms of CPU each, on every
// visit of the Outgoing page and of the forms that offer them.
import { readRows } from "@/lib/db";
import type { OAuthFieldsValues } from "./connection-schema";
import { viewFields, type ApplicationView } from "./application-view";

export type ApplicationChoice = {
  id: string;
  label: string;
  fields: Pick<
    OAuthFieldsValues,
    | "preset"
    | "cloud"
    | "tenant"
    | "clientId"
    | "clientAuthMethod"
    | "privateKeyId"
    | "authorizeUrl"
    | "tokenUrl"
    | "revocationUrl"
    | "issuer"
    | "tokenExpiryMarginSec"
    | "secretExpiresOn"
    | "scope"
  >;
  /** the grant its connections use, for a new connection to start from */
  grantType: OAuthFieldsValues["grantType"] | null;
  hasClientSecret: boolean;
  hasPrivateKey: boolean;
};

type ChoiceRow = Omit<ApplicationView, "createdAt" | "updatedAt">;

/** Stored applications a form can start from (one Azure app or Google client for every mailbox), without secrets. */
export async function listApplicationChoices(): Promise<ApplicationChoice[]> {
  const apps = await readRows<ChoiceRow>(
    `SELECT "id", "name", "preset", "cloud", "tenant", "clientId", "clientAuthMethod", "privateKeyId", "issuer",
       "authorizeUrl", "tokenUrl", "revocationUrl", "tokenExpiryMarginSec", "secretExpiresOn", "scope",
       ("clientSecret" IS NOT NULL AND "clientSecret" <> '') AS "hasClientSecret",
       ("privateKey" IS NOT NULL AND "privateKey" <> '') AS "hasPrivateKey"
     FROM "OAuthApplication" ORDER BY "createdAt" ASC, "id" ASC`,
    [],
    { tokenExpiryMarginSec: "int", secretExpiresOn: "date", hasClientSecret: "bool", hasPrivateKey: "bool" },
  );
  if (apps.length === 0) return [];
  // each application's first connection (as created): applications saved before they kept a scope use its scope
  const connections = await readRows<{ applicationId: string; scope: string; grantType: string }>(
    `SELECT "applicationId", "scope", "grantType" FROM "OAuthConnection" ORDER BY "createdAt" ASC, "id" ASC`,
  );
  const first = new Map<string, { scope: string; grantType: string }>();
  for (const { applicationId, ...connection } of connections)
    if (!first.has(applicationId)) first.set(applicationId, connection);
  return apps.map((app) => {
    const { hasClientSecret, hasPrivateKey, ...fields } = viewFields(app);
    const connection = first.get(app.id);
    return {
      id: app.id,
      label: app.name,
      fields: { ...fields, scope: app.scope || connection?.scope || "" },
      grantType: (connection?.grantType as OAuthFieldsValues["grantType"]) ?? null,
      hasClientSecret,
      hasPrivateKey,
    };
  });
}
