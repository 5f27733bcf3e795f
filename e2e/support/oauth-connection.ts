// Test helpers for the OAuth token service: an application and connection for one of the rig's clients,
// written straight to the test database, and a count of token requests this process sends.
import diagnosticsChannel from "node:diagnostics_channel";
import { onTestFinished } from "vitest";
import type { RigInfo } from "@/e2e/rig/info";
import { db } from "@/lib/db";

export const OUTLOOK_IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access";

export type TestConnection = {
  clientKey: string;
  grantType: string;
  scope?: string;
  grantedScope?: string;
  subject?: string;
  password?: string;
  refreshToken?: string;
  privateKey?: boolean;
  marginSec?: number;
  /** another token URL of the rig (Microsoft- or Google-style); the plain one by default */
  tokenUrl?: string;
};

export async function createTestConnection(rig: RigInfo, data: TestConnection) {
  const c = rig.auth.clients[data.clientKey];
  const app = await db().oAuthApplication.create({
    data: {
      name: data.clientKey,
      preset: "generic",
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      clientAuthMethod: c.tokenEndpointAuthMethod,
      privateKey: data.privateKey ? (c.privateKeyPem ?? rig.auth.serviceAccount.privateKeyPem) : undefined,
      privateKeyId: data.privateKey ? (c.keyId ?? rig.auth.serviceAccount.keyId) : undefined,
      issuer: rig.auth.issuer,
      tokenUrl: data.tokenUrl ?? rig.auth.tokenUrl,
      tokenExpiryMarginSec: data.marginSec ?? 60,
    },
  });
  return db().oAuthConnection.create({
    data: {
      applicationId: app.id,
      grantType: data.grantType,
      scope: data.scope ?? OUTLOOK_IMAP_SCOPE,
      grantedScope: data.grantedScope,
      subject: data.subject,
      password: data.password,
      refreshToken: data.refreshToken,
    },
  });
}

/**
 * Counts the requests to token URLs starting with `prefix` that this process sends from now on, whichever
 * fetch sends them (Node's or undici's, with any dispatcher): both publish on undici's diagnostics channel.
 */
export function countTokenCalls(prefix: string): () => number {
  let calls = 0;
  const onRequest = (message: unknown) => {
    const { request } = message as { request: { origin?: string | URL; path: string } };
    if (`${String(request.origin ?? "").replace(/\/$/, "")}${request.path}`.startsWith(prefix)) calls++;
  };
  diagnosticsChannel.subscribe("undici:request:create", onRequest);
  onTestFinished(() => {
    diagnosticsChannel.unsubscribe("undici:request:create", onRequest);
  });
  return () => calls;
}
