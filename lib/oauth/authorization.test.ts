// The consent flow against the rig's real authorization server: saving the OAuth fields, the authorize URL we
// build, the real sign-in and consent pages, and the callback's checks (state, admin, PKCE, iss, provider errors).
import { beforeAll, describe, expect, it } from "vitest";
import { introspectToken, revoke } from "@/e2e/rig/auth-client";
import { runAuthorizationFlow } from "@/e2e/rig/auth-server/test-support";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { useTestDatabase } from "@/e2e/support/test-db";
import { config } from "@/lib/config";
import { createRawClient, db } from "@/lib/db";
import { getAccessToken, ReconnectNeededError } from "./token-service";
import { completeAuthorization, redirectUri, startAuthorization } from "./authorization";
import { saveApplication } from "./application-service";
import { deleteConnection, getConnectionStatus, saveOAuthConnection } from "./connection-service";

const PUBLIC_URL = "http://127.0.0.1:43117";
const SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access";
let rig: RigInfo;
let admin: string;
let otherAdmin: string;

beforeAll(async () => {
  rig = rigInfo();
  process.env.MAILBRIDGE_PUBLIC_URL = PUBLIC_URL;
  await useTestDatabase();
  const user = (email: string) => db().user.create({ data: { email, passwordHash: "x", role: "admin" } });
  admin = (await user("admin@example.test")).id;
  otherAdmin = (await user("other@example.test")).id;
});

function fields(over: Record<string, unknown> = {}) {
  const client = rig.auth.clients.secretPost;
  return {
    preset: "generic",
    grantType: "authorization_code",
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    authorizeUrl: `${rig.auth.authorizeUrl}?prompt=consent&access_type=offline`,
    tokenUrl: rig.auth.tokenUrl,
    revocationUrl: rig.auth.revocationUrl,
    issuer: rig.auth.issuer,
    scope: SCOPE,
    ...over,
  };
}

async function consent(
  connectionId: string,
  opts: { user?: string; decision?: "approve" | "deny"; startedBy?: string } = {},
) {
  const url = await startAuthorization(connectionId, opts.startedBy ?? admin, "popup", "/oauth");
  const alice = rig.auth.users[opts.user ?? "alice"];
  const flow = await runAuthorizationFlow({
    preparedUrl: url,
    authorizeUrl: url,
    client: rig.auth.clients.secretPost,
    scope: SCOPE,
    username: alice.username,
    password: alice.password,
    decision: opts.decision,
    redirectUri: redirectUri(),
  });
  return { url: new URL(url), callback: flow.callback };
}

describe("authorization code flow with the consent pages", () => {
  it("builds the authorize URL with state, PKCE S256, login_hint and the URL's own parameters merged", async () => {
    const { connectionId, needsConsent } = await saveOAuthConnection(fields({ scope: `openid ${SCOPE}` }), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    expect(needsConsent).toBe(true);
    const url = new URL(await startAuthorization(connectionId, admin, "popup", "/oauth"));
    const q = url.searchParams;
    expect(q.getAll("prompt")).toEqual(["consent"]);
    expect(q.get("access_type")).toBe("offline");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("nonce")).toBeTruthy();
    expect(q.get("login_hint")).toBe("alice@rig.test");
    expect(q.get("redirect_uri")).toBe(`${PUBLIC_URL}/api/oauth/callback`);
    // the state is stored hashed only
    const stored = await db().oAuthState.findFirstOrThrow({ where: { connectionId } });
    expect(stored.stateHash).not.toBe(q.get("state"));
  });

  it("signs in, exchanges the code and stores the tokens encrypted; the state cannot be replayed", async () => {
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    const { callback } = await consent(connectionId);
    expect(callback.searchParams.get("iss")).toBe(rig.auth.issuer);
    const result = await completeAuthorization(callback, admin);
    expect(result).toMatchObject({ ok: true, connectionId, mode: "popup" });

    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(conn.status).toBe("connected");
    expect((await introspectToken(rig, conn.accessToken!, "mail", "alice@rig.test")).active).toBe(true);
    expect(conn.refreshToken).toEqual(expect.any(String));
    const raw = createRawClient(config().database);
    const row = await raw.oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row.refreshToken).toMatch(/^mb1:/);
    expect(row.refreshToken).not.toContain(conn.refreshToken!);
    await raw.$disconnect();

    const replay = await completeAuthorization(callback, admin);
    expect(replay).toMatchObject({ ok: false, code: "state_invalid" });
  });

  it("with OpenID scopes: the ID token's nonce is checked and the signed-in account is kept", async () => {
    const { connectionId } = await saveOAuthConnection(fields({ scope: `openid email ${SCOPE}` }), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    const { url, callback } = await consent(connectionId);
    expect(url.searchParams.get("nonce")).toBeTruthy();
    expect(await completeAuthorization(callback, admin)).toMatchObject({ ok: true });
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(conn.tokenUser).toBe("alice@rig.test");

    const { callback: second } = await consent(connectionId);
    await db().oAuthState.updateMany({ where: { connectionId }, data: { nonce: "another-sign-in" } });
    expect(await completeAuthorization(second, admin)).toMatchObject({ ok: false, code: "nonce_mismatch" });
  });

  describe("who consented, without an ID token (no openid scope)", () => {
    const connect = (over: Record<string, unknown> = {}) =>
      saveOAuthConnection(fields(over), { userId: admin, direction: "incoming", mailbox: "alice@rig.test" });

    it("asks the userinfo endpoint of the issuer's discovery document: the mailbox's user matches", async () => {
      const { connectionId } = await connect();
      const { callback } = await consent(connectionId);
      const result = await completeAuthorization(callback, admin);
      expect(result).toMatchObject({ ok: true });
      expect(result.ok && result.identity).toBeFalsy();
      const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
      expect(conn.tokenUser).toBe("alice@rig.test");
    });

    it("names another account the userinfo endpoint reports", async () => {
      const { connectionId } = await connect();
      const { callback } = await consent(connectionId, { user: "bob" });
      expect(await completeAuthorization(callback, admin)).toMatchObject({
        ok: true,
        identity: { signedInAs: "bob@rig.test", mailbox: "alice@rig.test" },
      });
    });

    it("says the account could not be checked when no issuer names a userinfo endpoint", async () => {
      const { connectionId } = await connect({ issuer: "", tenant: "no-issuer" });
      const { callback } = await consent(connectionId);
      expect(await completeAuthorization(callback, admin)).toMatchObject({
        ok: true,
        identity: { signedInAs: null, mailbox: "alice@rig.test" },
      });
      const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
      expect(conn.tokenUser).toBeNull();
      expect((await getConnectionStatus(connectionId))?.identity).toEqual({
        signedInAs: null,
        mailbox: "alice@rig.test",
      });
    });
  });

  it("refuses a forged state, a state from another admin's session and a callback without state", async () => {
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    const { callback } = await consent(connectionId);
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged-state-value");
    expect(await completeAuthorization(forged, admin)).toMatchObject({ ok: false, code: "state_invalid" });
    const noState = new URL(callback);
    noState.searchParams.delete("state");
    expect(await completeAuthorization(noState, admin)).toMatchObject({ ok: false, code: "state_missing" });
    expect(await completeAuthorization(callback, otherAdmin)).toMatchObject({ ok: false, code: "state_foreign" });
    expect(await completeAuthorization(callback, null)).toMatchObject({ ok: false, code: "state_invalid" });
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(conn.status).toBe("pending");
    expect(conn.accessToken).toBeNull();
  });

  it("refuses the code when the PKCE verifier is missing", async () => {
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    const { callback } = await consent(connectionId);
    await db().oAuthState.updateMany({ where: { connectionId }, data: { codeVerifier: "" } });
    const result = await completeAuthorization(callback, admin);
    expect(result).toMatchObject({ ok: false, code: "invalid_grant" });
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } })).status).toBe("pending");
  });

  it("refuses a response from another issuer (RFC 9207)", async () => {
    const { connectionId } = await saveOAuthConnection(
      fields({ issuer: "https://login.example.net", tenant: "other-issuer" }),
      { userId: admin, direction: "incoming", mailbox: "alice@rig.test" },
    );
    const { callback } = await consent(connectionId);
    expect(await completeAuthorization(callback, admin)).toMatchObject({ ok: false, code: "issuer_mismatch" });
  });

  it("turns a denied consent into a hint", async () => {
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    const { callback } = await consent(connectionId, { decision: "deny" });
    const result = await completeAuthorization(callback, admin);
    expect(result).toMatchObject({ ok: false, code: "access_denied", hint: { title: "Consent was denied" } });
  });

  it("a revoked grant becomes reconnect needed, and Reconnect (a new consent) repairs it", async () => {
    // The shared mailbox's own account: no other test file holds its grants for this client.
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "shared@rig.test",
    });
    expect((await completeAuthorization((await consent(connectionId, { user: "shared" })).callback, admin)).ok).toBe(
      true,
    );
    await revoke(rig, { user: "shared@rig.test", clientId: rig.auth.clients.secretPost.clientId });
    await expect(getAccessToken(connectionId, { forceRefresh: true })).rejects.toBeInstanceOf(ReconnectNeededError);
    const broken = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(broken.status).toBe("reconnect_needed");
    expect(broken.statusHint).toContain("Reconnect");
    // nothing retries: the next call fails at once without a token request
    await expect(getAccessToken(connectionId)).rejects.toBeInstanceOf(ReconnectNeededError);

    expect((await completeAuthorization((await consent(connectionId, { user: "shared" })).callback, admin)).ok).toBe(
      true,
    );
    const repaired = await getAccessToken(connectionId, { forceRefresh: true });
    expect((await introspectToken(rig, repaired.accessToken, "mail", "shared@rig.test")).active).toBe(true);
  });

  it("saving again with a blank secret keeps it, and one application serves several connections", async () => {
    const first = await saveOAuthConnection(fields({ tenant: "renewal" }), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    const second = await saveOAuthConnection(fields({ tenant: "renewal", clientSecret: "" }), {
      userId: admin,
      direction: "outgoing",
      mailbox: "alice@rig.test",
    });
    const a = await db().oAuthConnection.findUniqueOrThrow({
      where: { id: first.connectionId },
      include: { application: true },
    });
    const b = await db().oAuthConnection.findUniqueOrThrow({
      where: { id: second.connectionId },
      include: { application: true },
    });
    expect(b.applicationId).toBe(a.applicationId);
    expect(b.application.clientSecret).toBe(rig.auth.clients.secretPost.clientSecret);
    // a new secret entered once on the application renews it for every connection of the application
    await saveApplication({
      ...fields({ tenant: "renewal", clientSecret: "renewed-secret" }),
      applicationId: a.applicationId,
    });
    const renewed = await db().oAuthApplication.findUniqueOrThrow({ where: { id: a.applicationId } });
    expect(renewed.clientSecret).toBe("renewed-secret");
  });

  it("an unchanged, connected interactive grant needs no new consent; a changed scope does", async () => {
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    expect((await completeAuthorization((await consent(connectionId)).callback, admin)).ok).toBe(true);
    const again = await saveOAuthConnection(fields({ clientSecret: "" }), {
      userId: admin,
      direction: "incoming",
      existingConnectionId: connectionId,
      mailbox: "alice@rig.test",
    });
    expect(again.needsConsent).toBe(false);
    const changed = await saveOAuthConnection(
      fields({ clientSecret: "", scope: `${SCOPE} https://outlook.office.com/SMTP.Send` }),
      {
        userId: admin,
        direction: "incoming",
        existingConnectionId: connectionId,
        mailbox: "alice@rig.test",
      },
    );
    expect(changed.needsConsent).toBe(true);
  });

  it("field errors come back under the form's prefix", async () => {
    await expect(
      saveOAuthConnection(fields({ clientId: "", tokenUrl: "ftp://x" }), { userId: admin, direction: "incoming" }),
    ).rejects.toMatchObject({
      options: {
        fieldErrors: {
          "oauth.clientId": "Enter the Client ID",
          "oauth.tokenUrl": expect.stringContaining("Access Token URL"),
        },
      },
    });
  });

  it("deleting a connection revokes its refresh token at the provider", async () => {
    const { connectionId } = await saveOAuthConnection(fields(), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    expect((await completeAuthorization((await consent(connectionId)).callback, admin)).ok).toBe(true);
    const conn = await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(await deleteConnection(connectionId)).toEqual({ revoked: true });
    expect(await db().oAuthConnection.findUnique({ where: { id: connectionId } })).toBeNull();
    expect((await introspectToken(rig, conn.accessToken!, "mail", "alice@rig.test")).active).toBe(false);
  });
});
