// The one schema of the application form (OAuth applications → an application): the client registration's
// own fields, shared by every connection that uses it. Secrets are write-only: blank keeps the stored one.
import { z } from "zod";
import { oauthFieldsSchema } from "./connection-schema";

const base = oauthFieldsSchema.shape;

export const applicationSchema = z
  .object({
    applicationId: z.string().min(1),
    preset: base.preset,
    cloud: base.cloud,
    tenant: base.tenant,
    clientId: base.clientId,
    clientSecret: base.clientSecret,
    clientAuthMethod: base.clientAuthMethod,
    privateKey: base.privateKey,
    privateKeyId: base.privateKeyId,
    authorizeUrl: base.authorizeUrl,
    tokenUrl: base.tokenUrl,
    revocationUrl: base.revocationUrl,
    issuer: base.issuer,
    /** the scope new connections of the application start from */
    scope: base.scope,
    tokenExpiryMarginSec: base.tokenExpiryMarginSec,
    secretExpiresOn: base.secretExpiresOn,
  })
  .superRefine((v, ctx) => {
    if (!v.clientId) ctx.addIssue({ code: "custom", path: ["clientId"], message: "Enter the Client ID" });
    if (!v.tokenUrl) ctx.addIssue({ code: "custom", path: ["tokenUrl"], message: "Enter the Access Token URL" });
  });

export type ApplicationInput = z.input<typeof applicationSchema>;
export type ApplicationValues = z.output<typeof applicationSchema>;
