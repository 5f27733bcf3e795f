import "server-only";
// What a form's OAuth fields mean for the application (client registration) they name: the row they would
// write, which of its fields they change, and whether a stored secret may still be used after the change.
import type { OAuthApplication } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import type { OAuthFieldsValues } from "./connection-schema";
import { PRESET_LABELS } from "./presets";

export type ApplicationFieldValues = Pick<
  OAuthFieldsValues,
  | "preset"
  | "cloud"
  | "tenant"
  | "clientId"
  | "clientSecret"
  | "clientAuthMethod"
  | "privateKey"
  | "privateKeyId"
  | "issuer"
  | "authorizeUrl"
  | "tokenUrl"
  | "revocationUrl"
  | "tokenExpiryMarginSec"
  | "secretExpiresOn"
> & { scope?: string };

export function applicationData(v: ApplicationFieldValues) {
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
    ...(v.scope !== undefined ? { scope: v.scope } : {}),
    // Write-only fields: only a typed value replaces the stored one.
    ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}),
    ...(v.privateKey ? { privateKey: v.privateKey } : {}),
  };
}
export type ApplicationData = ReturnType<typeof applicationData>;

const COMPARED = [
  "preset",
  "cloud",
  "tenant",
  "clientId",
  "clientAuthMethod",
  "privateKeyId",
  "issuer",
  "authorizeUrl",
  "tokenUrl",
  "revocationUrl",
  "tokenExpiryMarginSec",
] as const;

/**
 * The application fields `v` changes. A field the connection's grant does not use and leaves blank (the
 * Authorize URL of an app-only grant) is no change: a connection never blanks what another one relies on.
 */
export function changedApplicationFields(
  app: OAuthApplication,
  v: ApplicationFieldValues & { grantType?: string },
): string[] {
  const stored = { ...app, secretExpiresOn: app.secretExpiresOn ? app.secretExpiresOn.toISOString().slice(0, 10) : "" };
  const changed: string[] = COMPARED.filter((f) => {
    if (f === "authorizeUrl" && v.grantType && v.grantType !== "authorization_code" && !v.authorizeUrl) return false;
    return String(stored[f] ?? "") !== String(v[f] ?? "");
  });
  if (stored.secretExpiresOn !== v.secretExpiresOn) changed.push("secretExpiresOn");
  if (v.clientSecret && v.clientSecret !== app.clientSecret) changed.push("clientSecret");
  if (v.privateKey && v.privateKey !== app.privateKey) changed.push("privateKey");
  return changed;
}

/** The places a stored secret is sent to. The Authorize URL counts for the code flow (it decides who issues the code). */
const DESTINATIONS = [
  ["tokenUrl", "the Access Token URL"],
  ["revocationUrl", "the Revocation URL"],
  ["issuer", "the Issuer (discovery) URL"],
  ["authorizeUrl", "the Authorize URL"],
] as const;

type Endpoints = Pick<OAuthApplication, "tokenUrl" | "revocationUrl" | "issuer" | "authorizeUrl">;

/** Which endpoint a stored secret would now be sent to that it was not saved for, or null. */
export function changedDestination(
  stored: Endpoints,
  next: Pick<ApplicationFieldValues, "tokenUrl" | "revocationUrl" | "issuer" | "authorizeUrl">,
  grantType?: string,
): string | null {
  for (const [field, label] of DESTINATIONS) {
    if (field === "authorizeUrl" && grantType && grantType !== "authorization_code") continue;
    if ((stored[field] ?? "") !== (next[field] ?? "")) return label;
  }
  return null;
}

type StoredSecrets = {
  clientSecret?: string | null;
  privateKey?: string | null;
  password?: string | null;
  refreshToken?: string | null;
};
type TypedSecrets = Pick<OAuthFieldsValues, "clientSecret" | "privateKey" | "clientAuthMethod"> &
  Partial<Pick<OAuthFieldsValues, "password" | "refreshToken" | "grantType">>;

/**
 * Refuses a save that needs a secret it neither got nor may reuse. A stored secret is reused only while every
 * endpoint it goes to is unchanged (`moved` names the one that changed); otherwise it must be typed again.
 */
export function requireSecrets(v: TypedSecrets, stored: StoredSecrets, moved: string | null, prefix: string): void {
  const needs: [keyof StoredSecrets, boolean, string][] = [
    [
      "clientSecret",
      (v.clientAuthMethod === "client_secret_post" || v.clientAuthMethod === "client_secret_basic") &&
        v.grantType !== "jwt_bearer",
      "Enter the client secret",
    ],
    [
      "privateKey",
      v.clientAuthMethod === "private_key_jwt" || v.grantType === "jwt_bearer",
      "Paste the private key (PEM) or the service-account JSON key",
    ],
    ["password", v.grantType === "password", "Enter the password of the ROPC user"],
    ["refreshToken", v.grantType === "refresh_token", "Paste the refresh token"],
  ];
  const fieldErrors: Record<string, string> = {};
  for (const [field, needed, missing] of needs) {
    if (!needed || v[field]) continue;
    if (!stored[field]) fieldErrors[`${prefix}${field}`] = missing;
    else if (moved)
      fieldErrors[`${prefix}${field}`] =
        `${moved[0].toUpperCase()}${moved.slice(1)} changed: ${missing.charAt(0).toLowerCase()}${missing.slice(1)} again`;
  }
  const first = Object.values(fieldErrors)[0];
  if (first)
    throw new UserFacingError(
      moved ? `${first}. A stored secret is only sent to the endpoints it was saved for.` : `${first}.`,
      { fieldErrors },
    );
}
