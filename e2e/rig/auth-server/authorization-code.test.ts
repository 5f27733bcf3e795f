import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jwtParts, runAuthorizationFlow, startTestAuthServer, tokenCall, type TestAuthServer } from "./test-support";

let server: TestAuthServer;
beforeAll(async () => {
  server = await startTestAuthServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const OUTLOOK_SCOPES = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send";

describe("authorization code flow with PKCE through the sign-in and consent pages", () => {
  it("signs alice in, asks consent, and exchanges the code for a JWT access token and a refresh token", async () => {
    const { clients, users } = server.info;
    const flow = await runAuthorizationFlow({
      authorizeUrl: server.info.authorizeUrl,
      client: clients.secretPost,
      scope: `${OUTLOOK_SCOPES} offline_access`,
      username: users.alice.username,
      password: users.alice.password,
    });
    expect(flow.pages.map((page) => page.kind)).toEqual(["login", "consent"]);
    expect(flow.pages[1].html).toContain("https://outlook.office.com/IMAP.AccessAsUser.All");
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
    expect(flow.callback.searchParams.get("iss")).toBe(server.info.issuer);
    const code = flow.callback.searchParams.get("code");
    expect(code).toBeTruthy();

    const answer = await tokenCall(server.info.tokenUrl, clients.secretPost, {
      grant_type: "authorization_code",
      code: code!,
      redirect_uri: flow.redirectUri,
      code_verifier: flow.codeVerifier,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.refresh_token).toEqual(expect.any(String));
    const { header, payload } = jwtParts(String(answer.body.access_token));
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({
      iss: server.info.issuer,
      sub: "alice@rig.test",
      aud: "https://outlook.office.com",
      email: "alice@rig.test",
      preferred_username: "alice@rig.test",
      client_id: clients.secretPost.clientId,
      scope: OUTLOOK_SCOPES,
    });
  });

  it("refuses a code exchanged without the right PKCE verifier", async () => {
    const { clients, users } = server.info;
    const flow = await runAuthorizationFlow({
      authorizeUrl: server.info.authorizeUrl,
      client: clients.secretBasic,
      scope: OUTLOOK_SCOPES,
      username: users.bob.username,
      password: users.bob.password,
    });
    const answer = await tokenCall(server.info.tokenUrl, clients.secretBasic, {
      grant_type: "authorization_code",
      code: flow.callback.searchParams.get("code")!,
      redirect_uri: flow.redirectUri,
      code_verifier: "x".repeat(43),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");
  });

  it("requires PKCE", async () => {
    const url = new URL(server.info.authorizeUrl);
    url.search = new URLSearchParams({
      client_id: server.info.clients.secretPost.clientId,
      response_type: "code",
      redirect_uri: "http://127.0.0.1:5000/api/oauth/callback",
      scope: "imap",
      state: "s1",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toMatch(/PKCE/);
  });

  it("answers a wrong password on the sign-in page with the form again", async () => {
    const { clients, users } = server.info;
    await expect(
      runAuthorizationFlow({
        authorizeUrl: server.info.authorizeUrl,
        client: clients.secretPost,
        scope: "imap",
        username: users.alice.username,
        password: "not-the-password",
      }),
    ).rejects.toThrow(/sign-in refused: Wrong email or password/);
  });

  it("sends error=access_denied to the redirect URI when consent is denied", async () => {
    const { clients, users } = server.info;
    const flow = await runAuthorizationFlow({
      authorizeUrl: server.info.authorizeUrl,
      client: clients.public,
      scope: "imap",
      username: users.bob.username,
      password: users.bob.password,
      decision: "deny",
    });
    expect(flow.callback.searchParams.get("error")).toBe("access_denied");
    expect(flow.callback.searchParams.get("code")).toBeNull();
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
  });

  it("accepts loopback callbacks on any port on 127.0.0.1 and localhost, and nothing else", async () => {
    const { clients, users } = server.info;
    for (const redirectUri of [
      "http://127.0.0.1:3999/api/oauth/callback",
      "http://localhost:61234/api/oauth/callback",
    ]) {
      const flow = await runAuthorizationFlow({
        authorizeUrl: server.info.authorizeUrl,
        client: clients.public,
        scope: "imap",
        username: users.alice.username,
        password: users.alice.password,
        redirectUri,
      });
      expect(flow.callback.origin + flow.callback.pathname).toBe(redirectUri);
      expect(flow.callback.searchParams.get("code")).toBeTruthy();
    }
    for (const redirectUri of [
      "http://evil.test:3999/api/oauth/callback",
      "http://127.0.0.1:3999/other/callback",
      "https://127.0.0.1:3999/api/oauth/callback",
    ]) {
      const url = new URL(server.info.authorizeUrl);
      url.search = new URLSearchParams({
        client_id: clients.public.clientId,
        response_type: "code",
        redirect_uri: redirectUri,
        scope: "imap",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
      }).toString();
      const response = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("invalid_redirect_uri");
    }
  });

  it("issues no refresh token without offline access, but one for Google's access_type=offline", async () => {
    const { clients, users } = server.info;
    const withoutOffline = await runAuthorizationFlow({
      authorizeUrl: server.info.authorizeUrl,
      client: clients.google,
      scope: "https://mail.google.com/",
      username: users.alice.username,
      password: users.alice.password,
    });
    const first = await tokenCall(server.info.tokenUrl, clients.google, {
      grant_type: "authorization_code",
      code: withoutOffline.callback.searchParams.get("code")!,
      redirect_uri: withoutOffline.redirectUri,
      code_verifier: withoutOffline.codeVerifier,
    });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBeUndefined();
    expect(jwtParts(String(first.body.access_token)).payload.aud).toBe("https://mail.google.com/");

    const offline = await runAuthorizationFlow({
      authorizeUrl: server.info.googleAuthorizeUrl,
      client: clients.google,
      scope: "https://mail.google.com/",
      username: users.bob.username,
      password: users.bob.password,
      extraParams: { access_type: "offline", prompt: "consent" },
    });
    expect(offline.pages.map((page) => page.kind)).toEqual(["login", "consent"]);
    const second = await tokenCall(server.info.googleTokenUrl, clients.google, {
      grant_type: "authorization_code",
      code: offline.callback.searchParams.get("code")!,
      redirect_uri: offline.redirectUri,
      code_verifier: offline.codeVerifier,
    });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toEqual(expect.any(String));
    expect(second.body.refresh_token_expires_in).toBeUndefined();
  });

  it("runs the Microsoft-style flow under any tenant and reports a denied consent with error_subcode=cancel", async () => {
    const { clients, users, msBase } = server.info;
    const approved = await runAuthorizationFlow({
      authorizeUrl: `${msBase}/organizations/oauth2/v2.0/authorize`,
      client: clients.secretPost,
      scope: `${OUTLOOK_SCOPES} offline_access`,
      username: users.alice.username,
      password: users.alice.password,
      extraParams: { prompt: "select_account", response_mode: "query" },
    });
    const answer = await tokenCall(`${msBase}/organizations/oauth2/v2.0/token`, clients.secretPost, {
      grant_type: "authorization_code",
      code: approved.callback.searchParams.get("code")!,
      redirect_uri: approved.redirectUri,
      code_verifier: approved.codeVerifier,
      scope: `${OUTLOOK_SCOPES} offline_access`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.refresh_token).toEqual(expect.any(String));

    const denied = await runAuthorizationFlow({
      authorizeUrl: `${msBase}/0b5f7d9c-1111-4c2e-9d4e-123456789abc/oauth2/v2.0/authorize`,
      client: clients.secretBasic,
      scope: OUTLOOK_SCOPES,
      username: users.bob.username,
      password: users.bob.password,
      decision: "deny",
    });
    expect(denied.callback.searchParams.get("error")).toBe("access_denied");
    expect(denied.callback.searchParams.get("error_subcode")).toBe("cancel");
    expect(denied.callback.searchParams.get("error_description")).toMatch(/^AADSTS65004:/);
  });

  it("shows AADSTS50011 for a redirect URI mismatch at the Microsoft-style endpoint", async () => {
    const url = new URL(`${server.info.msBase}/common/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: server.info.clients.secretPost.clientId,
      response_type: "code",
      redirect_uri: "https://wrong.example/api/oauth/callback",
      scope: OUTLOOK_SCOPES,
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const response = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("AADSTS50011");
  });
});
