// The one schema of the application form (OAuth applications → an application): the client registration's
// own fields, shared by every connection that uses it. Secrets are write-only: blank keeps the stored one.
import { z } from "zod";
import { oauthFieldsSchema } from "./connection-schema";

const base = oauthFieldsSchema.shape;

const applicationFields = {
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
};

function requireClientAndTokenUrl(v: { clientId: string; tokenUrl: string }, ctx: z.RefinementCtx): void {
  if (!v.clientId) ctx.addIssue({ code: "custom", path: ["clientId"], message: "Enter the Client ID" });
  if (!v.tokenUrl) ctx.addIssue({ code: "custom", path: ["tokenUrl"], message: "Enter the Access Token URL" });
}

export const applicationSchema = z
  .object({ applicationId: z.string().min(1), ...applicationFields })
  .superRefine(requireClientAndTokenUrl);

/** A registration stored before any connection uses it (so that connections only pick it). */
export const newApplicationSchema = z.object(applicationFields).superRefine(requireClientAndTokenUrl);

export type ApplicationInput = z.input<typeof applicationSchema>;
export type ApplicationValues = z.output<typeof applicationSchema>;
export type NewApplicationInput = z.input<typeof newApplicationSchema>;
