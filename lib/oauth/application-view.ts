import "server-only";
// The application's part of a form, without its secrets (only whether they are stored).
import type { OAuthApplication } from "@/lib/db";
import type { OAuthFieldsForEdit } from "./connection-schema";
import type { Preset } from "./presets";

/** An application as a form starts from it: every column but the secrets, and whether those are stored. */
export type ApplicationView = Omit<OAuthApplication, "clientSecret" | "privateKey"> & {
  hasClientSecret: boolean;
  hasPrivateKey: boolean;
};

/** The application's part of the form, without its secrets (only whether they are stored). */
export function applicationFields(app: OAuthApplication) {
  return viewFields({ ...app, hasClientSecret: Boolean(app.clientSecret), hasPrivateKey: Boolean(app.privateKey) });
}

/** As applicationFields, for a row read without its secrets. */
export function viewFields(app: Omit<ApplicationView, "id" | "name" | "scope" | "createdAt" | "updatedAt">) {
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
    hasClientSecret: app.hasClientSecret,
    hasPrivateKey: app.hasPrivateKey,
  };
}
