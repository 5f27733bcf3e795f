import "server-only";
// The application's part of a form, without its secrets (only whether they are stored).
import type { OAuthApplication } from "@/lib/db";
import type { OAuthFieldsForEdit } from "./connection-schema";
import type { Preset } from "./presets";

/** The application's part of the form, without its secrets (only whether they are stored). */
export function applicationFields(app: OAuthApplication) {
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
