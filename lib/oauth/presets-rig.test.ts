// Every provider preset and grant, saved through the same service the console uses, against the rig's real
// authorization server: the preset's endpoints are moved to the rig (its Microsoft- and Google-style
// endpoints), everything else is what the preset fills in.
import { beforeAll, describe, expect, it } from "vitest";
import { failNext, getToken, introspectToken } from "@/e2e/rig/auth-client";
import { runAuthorizationFlow } from "@/e2e/rig/auth-server/test-support";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { completeAuthorization, redirectUri, startAuthorization } from "./authorization";
import { saveApplication } from "./application-service";
import { saveOAuthConnection } from "./connection-service";
import { expiryWarnings } from "./expiry-warnings";
import { presetDefaults, type MailProtocol, type Preset } from "./presets";
import { getAccessToken, ReconnectNeededError } from "./token-service";

let rig: RigInfo;
let admin: string;

beforeAll(async () => {
  rig = rigInfo();
  process.env.MAILBRIDGE_PUBLIC_URL = "http://127.0.0.1:43118";
  await useTestDatabase();
  admin = (await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })).id;
});

/** The preset's fields with its public endpoints replaced by the rig's look-alikes. */
function presetFields(preset: Preset, protocol: MailProtocol, over: Record<string, unknown>) {
  const d = presetDefaults(preset, { tenant: "contoso.onmicrosoft.com", protocol });
  const toRig = (url: string | undefined) =>
    (url ?? "")
      .replace("https://login.microsoftonline.com", rig.auth.msBase)
      .replace("https://accounts.google.com/o/oauth2/v2/auth", rig.auth.googleAuthorizeUrl)
      .replace("https://oauth2.googleapis.com/token", rig.auth.googleTokenUrl)
      .replace("https://oauth2.googleapis.com/revoke", rig.auth.revocationUrl);
  return {
    preset,
    tenant: preset.startsWith("microsoft") ? "contoso.onmicrosoft.com" : "",
    grantType: d.grantType,
    clientAuthMethod: d.clientAuthMethod,
    authorizeUrl: toRig(d.authorizeUrl),
    tokenUrl: toRig(d.tokenUrl),
    revocationUrl: toRig(d.revocationUrl),
    scope: d.scope,
    ...over,
  };
}

async function consentFor(connectionId: string, clientKey: string, user = "alice") {
  const url = await startAuthorization(connectionId, admin, "popup", "/oauth");
  const account = rig.auth.users[user];
  const flow = await runAuthorizationFlow({
    preparedUrl: url,
    authorizeUrl: url,
    client: rig.auth.clients[clientKey],
    scope: "",
    username: account.username,
    password: account.password,
    redirectUri: redirectUri(),
  });
  const result = await completeAuthorization(flow.callback, admin);
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  return new URL(url);
}

describe("provider presets against the rig", () => {
  it("Microsoft 365 (delegated): the Outlook IMAP scope, consent at the tenant's endpoints, a token IMAP accepts", async () => {
    const client = rig.auth.clients.secretPost;
    const { connectionId } = await saveOAuthConnection(
      presetFields("microsoft", "imap", { clientId: client.clientId, clientSecret: client.clientSecret }),
      {
        userId: admin,
        direction: "incoming",
        mailbox: "alice@rig.test",
      },
    );
    const url = await consentFor(connectionId, "secretPost");
    expect(url.pathname).toBe(new URL(`${rig.auth.msBase}/contoso.onmicrosoft.com/oauth2/v2.0/authorize`).pathname);
    const token = await getAccessToken(connectionId, { forceRefresh: true });
    expect(await introspectToken(rig, token.accessToken, "mail", "alice@rig.test")).toMatchObject({
      active: true,
      aud: "https://outlook.office.com",
    });
  });

  it("Microsoft 365 for Graph asks graph.microsoft.com scopes, and the Graph resource accepts the token", async () => {
    const client = rig.auth.clients.secretPost;
    const { connectionId } = await saveOAuthConnection(
      presetFields("microsoft", "graph", { clientId: client.clientId, clientSecret: client.clientSecret }),
      {
        userId: admin,
        direction: "incoming",
        mailbox: "alice@rig.test",
      },
    );
    await consentFor(connectionId, "secretPost");
    const token = await getAccessToken(connectionId);
    expect((await introspectToken(rig, token.accessToken, "graph", "alice@rig.test")).active).toBe(true);
  });

  it("Microsoft 365 app-only: client credentials with .default, any mailbox", async () => {
    const client = rig.auth.clients.appOnly;
    const { connectionId, needsConsent } = await saveOAuthConnection(
      presetFields("microsoft_app_only", "imap", { clientId: client.clientId, clientSecret: client.clientSecret }),
      {
        userId: admin,
        direction: "incoming",
        mailbox: "bob@rig.test",
      },
    );
    expect(needsConsent).toBe(false);
    const token = await getAccessToken(connectionId);
    expect((await introspectToken(rig, token.accessToken, "mail", "bob@rig.test")).active).toBe(true);
  });

  it("Microsoft 365 ROPC: user name and password at the tenant's token endpoint", async () => {
    const client = rig.auth.clients.ropc;
    const alice = rig.auth.users.alice;
    const { connectionId } = await saveOAuthConnection(
      presetFields("microsoft_ropc", "pop", {
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        subject: alice.username,
        password: alice.password,
      }),
      { userId: admin, direction: "incoming", mailbox: alice.username },
    );
    const token = await getAccessToken(connectionId);
    expect((await introspectToken(rig, token.accessToken, "mail", alice.username)).active).toBe(true);
  });

  it("Google / Gmail: offline access with a consent prompt; a Testing app's 7-day refresh token is detected and warned about", async () => {
    const client = rig.auth.clients.googleTesting;
    const { connectionId } = await saveOAuthConnection(
      presetFields("google", "imap", { clientId: client.clientId, clientSecret: client.clientSecret }),
      {
        userId: admin,
        direction: "incoming",
        mailbox: "bob@rig.test",
      },
    );
    const url = await consentFor(connectionId, "googleTesting", "bob");
    expect(url.searchParams.get("access_type")).toBe("offline");
    expect(url.searchParams.get("prompt")).toBe("consent select_account");
    const conn = await db().oAuthConnection.findUniqueOrThrow({
      where: { id: connectionId },
      include: { application: true },
    });
    expect(conn.refreshToken).toEqual(expect.any(String));
    expect(conn.refreshTokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(6 * 24 * 3600 * 1000);
    expect((await introspectToken(rig, conn.accessToken!, "mail", "bob@rig.test")).aud).toBe(
      "https://mail.google.com/",
    );
    const warnings = expiryWarnings({ application: conn.application, connection: conn });
    expect(warnings).toMatchObject([{ kind: "testing_app" }]);
  });

  it("Google: a revoked grant answers Google's invalid_grant and becomes reconnect needed with Google's hint", async () => {
    const client = rig.auth.clients.google;
    const { connectionId } = await saveOAuthConnection(
      presetFields("google", "imap", { clientId: client.clientId, clientSecret: client.clientSecret }),
      {
        userId: admin,
        direction: "incoming",
        mailbox: "alice@rig.test",
      },
    );
    await consentFor(connectionId, "google");
    await failNext(rig, { path: "token", style: "google", code: "invalid_grant", clientId: client.clientId });
    await expect(getAccessToken(connectionId, { forceRefresh: true })).rejects.toBeInstanceOf(ReconnectNeededError);
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(conn.statusReason).toBe("Token has been expired or revoked.");
    expect(conn.statusHint).toContain("Testing");
  });

  it("Google Workspace service account: the JSON key's fields and the JWT bearer grant impersonating a mailbox", async () => {
    const sa = rig.auth.serviceAccount;
    const { connectionId } = await saveOAuthConnection(
      presetFields("google_service_account", "imap", {
        clientId: sa.clientEmail,
        privateKey: sa.privateKeyPem,
        privateKeyId: sa.keyId,
        subject: "bob@rig.test",
        tokenUrl: sa.tokenUri,
      }),
      { userId: admin, direction: "incoming" },
    );
    const token = await getAccessToken(connectionId);
    expect(await introspectToken(rig, token.accessToken, "mail", "bob@rig.test")).toMatchObject({
      active: true,
      username: "bob@rig.test",
    });
  });

  it("a pasted refresh token is the grant: it is exchanged, and the rotated one replaces it", async () => {
    const client = rig.auth.clients.ropc;
    const seed = await getToken(rig, {
      user: "alice",
      scope: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
      client,
    });
    expect(seed.refresh_token).toEqual(expect.any(String));
    const { connectionId, needsConsent } = await saveOAuthConnection(
      {
        preset: "generic",
        grantType: "refresh_token",
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        tokenUrl: rig.auth.tokenUrl,
        refreshToken: seed.refresh_token,
        scope: "",
      },
      { userId: admin, direction: "incoming", mailbox: "alice@rig.test" },
    );
    expect(needsConsent).toBe(false);
    const token = await getAccessToken(connectionId);
    expect((await introspectToken(rig, token.accessToken, "mail", "alice@rig.test")).active).toBe(true);
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(conn.status).toBe("connected");
    expect(conn.refreshToken).not.toBe(seed.refresh_token);
  });

  it("Microsoft errors come back with the catalogue's hint: an expired client secret is not a lost grant", async () => {
    const client = rig.auth.clients.appOnly;
    const { connectionId } = await saveOAuthConnection(
      presetFields("microsoft_app_only", "imap", { clientId: client.clientId, clientSecret: client.clientSecret }),
      {
        userId: admin,
        direction: "incoming",
        mailbox: "bob@rig.test",
      },
    );
    // the secret's expiry date is the application's: it is entered there, for every connection
    const { applicationId } = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    await saveApplication({
      ...presetFields("microsoft_app_only", "imap", { clientId: client.clientId, secretExpiresOn: "2026-01-01" }),
      applicationId,
    });
    await failNext(rig, { path: "token", style: "microsoft", code: "AADSTS7000222", clientId: client.clientId });
    const error = await getAccessToken(connectionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error).not.toBeInstanceOf(ReconnectNeededError);
    expect((error as UserFacingError).options.hint?.title).toBe("The client secret has expired");
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } })).status).not.toBe(
      "reconnect_needed",
    );
    // until the application changes, callers get the last error without another request (backoff) ...
    await expect(getAccessToken(connectionId)).rejects.toThrow(/client secret keys for app are expired/);
    // ... and once the secret is renewed, the next request is sent and works
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    await db().oAuthApplication.update({
      where: { id: conn.applicationId },
      data: { clientSecret: client.clientSecret, secretExpiresOn: null },
    });
    expect((await getAccessToken(connectionId)).accessToken).toEqual(expect.any(String));
  });
});
