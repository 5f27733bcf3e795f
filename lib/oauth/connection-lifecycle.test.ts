// The life of a connection against the rig's authorization server: a change to a working grant waits for a
// successful consent (a failed one leaves the old grant working and says what failed), a stored secret goes
// only to the endpoints it was saved for, and one connection's save never rewrites a shared application.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { introspectToken } from "@/e2e/rig/auth-client";
import { newCookieJar, runAuthorizationFlow } from "@/e2e/rig/auth-server/test-support";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { freePorts } from "@/e2e/rig/ports";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { saveApplication } from "./application-service";
import { completeAuthorization, redirectUri, startAuthorization } from "./authorization";
import { listApplicationChoices } from "./application-choices";
import { deleteConnection, getConnectionForEdit, saveOAuthConnection } from "./connection-service";
import { getAccessToken } from "./token-service";

const PUBLIC_URL = "http://127.0.0.1:43117";
const SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access";
let rig: RigInfo;
let admin: string;
let closedUrl: string;
const trap = { requests: [] as { url: string; body: string }[], url: "" };
let trapServer: ReturnType<typeof createServer>;

beforeAll(async () => {
  rig = rigInfo();
  process.env.MAILBRIDGE_PUBLIC_URL = PUBLIC_URL;
  await useTestDatabase();
  admin = (await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })).id;
  const [closed] = await freePorts(1);
  closedUrl = `http://127.0.0.1:${closed}/token`;
  // A server of the admin's choosing: whatever reaches it was sent where no secret was saved for.
  trapServer = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      trap.requests.push({ url: req.url ?? "", body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => trapServer.listen(0, "127.0.0.1", resolve));
  trap.url = `http://127.0.0.1:${(trapServer.address() as AddressInfo).port}/revoke`;
});
afterAll(() => new Promise<void>((resolve) => trapServer.close(() => resolve())));

/** Each test its own application (tenant), so that changes to one do not meet another test's. */
function fields(tenant: string, over: Record<string, unknown> = {}) {
  const client = rig.auth.clients.secretPost;
  return {
    preset: "generic",
    tenant,
    grantType: "authorization_code",
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    authorizeUrl: `${rig.auth.authorizeUrl}?prompt=consent`,
    tokenUrl: rig.auth.tokenUrl,
    revocationUrl: rig.auth.revocationUrl,
    issuer: rig.auth.issuer,
    scope: SCOPE,
    ...over,
  };
}

async function consent(
  connectionId: string,
  user: "alice" | "bob" | "shared" = "alice",
  opts: { jar?: ReturnType<typeof newCookieJar>; switchAccount?: boolean } = {},
) {
  const url = await startAuthorization(connectionId, admin, "popup", "/oauth", { switchAccount: opts.switchAccount });
  const who = rig.auth.users[user];
  const flow = await runAuthorizationFlow({
    preparedUrl: url,
    authorizeUrl: url,
    client: rig.auth.clients.secretPost,
    scope: SCOPE,
    username: who.username,
    password: who.password,
    redirectUri: redirectUri(),
    jar: opts.jar,
  });
  return { url: new URL(url), result: await completeAuthorization(flow.callback, admin), pages: flow.pages };
}

async function connected(tenant: string, mailbox = "alice@rig.test", over: Record<string, unknown> = {}) {
  const { connectionId } = await saveOAuthConnection(fields(tenant, over), {
    userId: admin,
    direction: "incoming",
    mailbox,
  });
  expect((await consent(connectionId, mailbox.startsWith("bob") ? "bob" : "alice")).result.ok).toBe(true);
  return db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId }, include: { application: true } });
}

describe("a change to a working grant", () => {
  it("to an unreachable token URL: the consent fails with the reason, the old grant keeps working, no second application", async () => {
    const before = await connected("unreachable");
    const apps = await db().oAuthApplication.count();
    const saved = await saveOAuthConnection(fields("unreachable", { tokenUrl: closedUrl }), {
      userId: admin,
      direction: "incoming",
      existingConnectionId: before.id,
      mailbox: "alice@rig.test",
    });
    expect(saved).toMatchObject({ needsConsent: true, staged: true });
    const { result } = await consent(before.id);
    expect(result).toMatchObject({
      ok: false,
      code: "token_unreachable",
      hint: { title: "The Access Token URL could not be reached" },
    });
    if (result.ok) throw new Error("unreachable");
    expect(result.error).toContain("connection refused");
    expect(result.error).toContain(closedUrl);

    const after = await db().oAuthConnection.findUniqueOrThrow({
      where: { id: before.id },
      include: { application: true },
    });
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(after.status).toBe("connected");
    expect(after.application.tokenUrl).toBe(rig.auth.tokenUrl);
    expect(await db().oAuthApplication.count()).toBe(apps);
    const token = await getAccessToken(before.id, { forceRefresh: true });
    expect((await introspectToken(rig, token.accessToken, "mail", "alice@rig.test")).active).toBe(true);
    // the form shows the change that waits, so that it can be corrected
    expect(await getConnectionForEdit(before.id)).toMatchObject({ tokenUrl: closedUrl, pendingChange: true });
  });

  it("a successful consent applies the staged change together with the new tokens", async () => {
    const before = await connected("applies");
    const wider = `${SCOPE} https://outlook.office.com/SMTP.Send`;
    const saved = await saveOAuthConnection(fields("applies", { clientSecret: "", scope: wider }), {
      userId: admin,
      direction: "incoming",
      existingConnectionId: before.id,
      mailbox: "alice@rig.test",
    });
    expect(saved.staged).toBe(true);
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: before.id } })).scope).toBe(SCOPE);
    expect((await consent(before.id)).result.ok).toBe(true);
    const after = await db().oAuthConnection.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toMatchObject({ scope: wider, pendingChange: null, status: "connected" });
    expect(after.refreshToken).not.toBe(before.refreshToken);
  });
});

describe("a stored secret goes only where it was saved for", () => {
  it.each([
    ["tokenUrl", "The Access Token URL changed: enter the client secret again"],
    ["revocationUrl", "The Revocation URL changed: enter the client secret again"],
    ["issuer", "The Issuer (discovery) URL changed: enter the client secret again"],
    ["authorizeUrl", "The Authorize URL changed: enter the client secret again"],
  ])("a changed %s needs the secret typed again", async (field, message) => {
    const before = await connected(`moved-${field}`);
    await expect(
      saveOAuthConnection(fields(`moved-${field}`, { clientSecret: "", [field]: "http://127.0.0.1:9/elsewhere" }), {
        userId: admin,
        direction: "incoming",
        existingConnectionId: before.id,
        mailbox: "alice@rig.test",
      }),
    ).rejects.toMatchObject({ options: { fieldErrors: { "oauth.clientSecret": message } } });
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: before.id } })).pendingChange).toBeNull();
  });

  it("deleting after a revocation URL change revokes at the stored URL; the new URL receives nothing", async () => {
    const before = await connected("revoke-moved");
    const saved = await saveOAuthConnection(fields("revoke-moved", { revocationUrl: trap.url }), {
      userId: admin,
      direction: "incoming",
      existingConnectionId: before.id,
      mailbox: "alice@rig.test",
    });
    expect(saved.staged).toBe(true);
    expect(await deleteConnection(before.id)).toEqual({ revoked: true });
    expect(trap.requests).toEqual([]);
    expect((await introspectToken(rig, before.accessToken!, "mail", "alice@rig.test")).active).toBe(false);
  });

  it("on the application page too: a changed token URL needs the secret; with it, the old tokens are dropped", async () => {
    const before = await connected("app-page");
    const base = { applicationId: before.applicationId, ...fields("app-page", { clientSecret: "" }) };
    await expect(saveApplication({ ...base, tokenUrl: trap.url })).rejects.toMatchObject({
      options: { fieldErrors: { clientSecret: "The Access Token URL changed: enter the client secret again" } },
    });
    const saved = await saveApplication({ ...base, tokenUrl: trap.url, clientSecret: "typed-again" });
    expect(saved.connectionsReset).toBe(1);
    const after = await db().oAuthConnection.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toMatchObject({ status: "reconnect_needed", refreshToken: null, accessToken: null });
    await expect(getAccessToken(before.id)).rejects.toThrow(/reconnected/);
    expect(trap.requests).toEqual([]);
  });
});

describe("one application, many connections", () => {
  it("a second connection with the same client ID reuses the application and never blanks its fields", async () => {
    const first = await connected("shared-app");
    const authorizeUrl = first.application.authorizeUrl;
    const second = await saveOAuthConnection(
      fields("shared-app", { clientSecret: "", grantType: "client_credentials", authorizeUrl: "", scope: "mail" }),
      { userId: admin, direction: "outgoing", mailbox: "bob@rig.test" },
    );
    const conn = await db().oAuthConnection.findUniqueOrThrow({
      where: { id: second.connectionId },
      include: { application: true },
    });
    expect(conn.applicationId).toBe(first.applicationId);
    expect(conn.application.authorizeUrl).toBe(authorizeUrl);
    expect(await db().oAuthApplication.count({ where: { tenant: "shared-app" } })).toBe(1);
  });

  it("a connection's save does not change a shared application, and no twin is created", async () => {
    const first = await connected("no-twin");
    await saveOAuthConnection(fields("no-twin", { clientSecret: "" }), {
      userId: admin,
      direction: "outgoing",
      mailbox: "alice@rig.test",
    });
    await expect(
      saveOAuthConnection(fields("no-twin", { clientSecret: "another-secret" }), {
        userId: admin,
        direction: "incoming",
        existingConnectionId: first.id,
        mailbox: "alice@rig.test",
      }),
    ).rejects.toMatchObject({
      options: { fieldErrors: { "oauth.clientSecret": expect.stringContaining("application's page") } },
    });
    await expect(
      saveOAuthConnection(fields("no-twin", { tokenUrl: trap.url }), {
        userId: admin,
        direction: "incoming",
        mailbox: "bob@rig.test",
      }),
    ).rejects.toMatchObject({
      options: { fieldErrors: { "oauth.clientId": expect.stringContaining("pick it under OAuth application") } },
    });
    expect(await db().oAuthApplication.count({ where: { tenant: "no-twin" } })).toBe(1);
    const app = await db().oAuthApplication.findUniqueOrThrow({ where: { id: first.applicationId } });
    expect(app).toMatchObject({ clientSecret: rig.auth.clients.secretPost.clientSecret, tokenUrl: rig.auth.tokenUrl });
  });

  it("a stored application offered to a new mailbox brings its scope", async () => {
    const first = await connected("brings-scope");
    const choice = (await listApplicationChoices()).find((c) => c.id === first.applicationId);
    expect(choice?.fields.scope).toBe(SCOPE);
    expect(choice?.grantType).toBe("authorization_code");
  });
});

describe("the account that consents", () => {
  it("a generic server whose metadata lists prompt=login is asked for a sign-in every time", async () => {
    // Another server configuration than the rig's (which lists no prompt values): metadata with prompt_values_supported.
    const metadata = createServer((req, res) => {
      const issuer = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
      if (!req.url?.startsWith("/.well-known/")) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          issuer,
          authorization_endpoint: rig.auth.authorizeUrl,
          token_endpoint: rig.auth.tokenUrl,
          prompt_values_supported: ["none", "login", "consent"],
        }),
      );
    });
    await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
    try {
      const issuer = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
      const { connectionId } = await saveOAuthConnection(
        fields("prompt-values", { issuer, authorizeUrl: rig.auth.authorizeUrl }),
        { userId: admin, direction: "incoming", mailbox: "alice@rig.test" },
      );
      const url = new URL(await startAuthorization(connectionId, admin, "popup", "/oauth"));
      expect(url.searchParams.get("prompt")).toBe("login");
      expect(url.searchParams.get("login_hint")).toBe("alice@rig.test");
    } finally {
      await new Promise<void>((resolve) => metadata.close(() => resolve()));
    }
  });

  it("asks for a fresh sign-in on 'sign in as someone else' and reports a consent by another account", async () => {
    const { connectionId } = await saveOAuthConnection(fields("identity", { scope: `openid email ${SCOPE}` }), {
      userId: admin,
      direction: "incoming",
      mailbox: "alice@rig.test",
    });
    // The IdP remembers bob (signed in earlier in this browser): without a prompt, bob's grant comes back at once.
    const jar = newCookieJar();
    const asBob = await consent(connectionId, "bob", { jar });
    expect(asBob.result).toMatchObject({
      ok: true,
      identity: { signedInAs: "bob@rig.test", mailbox: "alice@rig.test" },
    });
    const silent = await consent(connectionId, "bob", { jar });
    expect(silent.pages.filter((p) => p.kind === "login")).toEqual([]);

    const again = await consent(connectionId, "alice", { jar, switchAccount: true });
    expect(again.url.searchParams.get("prompt")).toBe("consent login");
    expect(again.pages[0]?.kind).toBe("login");
    expect(again.result).toMatchObject({ ok: true });
    expect(again.result).not.toHaveProperty("identity");
    expect((await db().oAuthConnection.findUniqueOrThrow({ where: { id: connectionId } })).tokenUser).toBe(
      "alice@rig.test",
    );
  });
});
