import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failNext, getToken, revoke } from "../auth-client";
import { runAuthorizationFlow, startTestAuthServer, tokenCall, type TestAuthServer } from "./test-support";

let server: TestAuthServer;
beforeAll(async () => {
  server = await startTestAuthServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const OUTLOOK_IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All";

function expectMicrosoftError(body: Record<string, unknown>, error: string, code: number) {
  expect(body).toMatchObject({
    error,
    error_codes: [code],
    timestamp: expect.any(String),
    trace_id: expect.any(String),
    correlation_id: expect.any(String),
  });
  expect(String(body.error_description)).toMatch(
    new RegExp(`^AADSTS${code}: .+ Trace ID: .+ Correlation ID: .+ Timestamp: `),
  );
}

describe("Microsoft-style token endpoint", () => {
  const msToken = () => `${server.info.msBase}/organizations/oauth2/v2.0/token`;

  it("issues tokens for any tenant", async () => {
    for (const tenant of ["common", "organizations", "rig.test", "72f988bf-86f1-41af-91ab-2d7cd011db47"]) {
      const answer = await tokenCall(`${server.info.msBase}/${tenant}/oauth2/v2.0/token`, server.info.clients.appOnly, {
        grant_type: "client_credentials",
        scope: "https://outlook.office365.com/.default",
      });
      expect(answer.status).toBe(200);
    }
  });

  it("maps a bad refresh token to AADSTS70000, a revoked one to AADSTS50173", async () => {
    const { clients } = server.info;
    const bad = await tokenCall(msToken(), clients.ropc, {
      grant_type: "refresh_token",
      refresh_token: "not-a-token",
      scope: OUTLOOK_IMAP,
    });
    expect(bad.status).toBe(400);
    expectMicrosoftError(bad.body, "invalid_grant", 70000);

    const tokens = await getToken(server.rig, { user: "bob", scope: `${OUTLOOK_IMAP} offline_access` });
    await revoke(server.rig, { user: "bob", clientId: clients.ropc.clientId });
    const revoked = await tokenCall(msToken(), clients.ropc, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      scope: `${OUTLOOK_IMAP} offline_access`,
    });
    expectMicrosoftError(revoked.body, "invalid_grant", 50173);
  });

  it("refreshes with the scope and offline_access that Microsoft clients send", async () => {
    const tokens = await getToken(server.rig, { user: "alice", scope: `${OUTLOOK_IMAP} offline_access` });
    const answer = await tokenCall(msToken(), server.info.clients.ropc, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      scope: `${OUTLOOK_IMAP} offline_access`,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.refresh_token).not.toBe(tokens.refresh_token);
  });

  it("maps client errors: wrong secret AADSTS7000215, unknown client AADSTS700016, wrong password AADSTS50126", async () => {
    const { clients, users } = server.info;
    const wrongSecret = await tokenCall(
      msToken(),
      { ...clients.secretPost, clientSecret: "wrong" },
      { grant_type: "client_credentials", scope: "imap" },
    );
    expect(wrongSecret.status).toBe(401);
    expectMicrosoftError(wrongSecret.body, "invalid_client", 7000215);

    const unknown = await tokenCall(
      msToken(),
      { ...clients.secretPost, clientId: "00000000-dead-beef-0000-000000000000" },
      { grant_type: "client_credentials", scope: "imap" },
    );
    expectMicrosoftError(unknown.body, "unauthorized_client", 700016);

    const wrongPassword = await tokenCall(msToken(), clients.ropc, {
      grant_type: "password",
      username: users.alice.username,
      password: "x",
      scope: "imap",
    });
    expectMicrosoftError(wrongPassword.body, "invalid_grant", 50126);
  });

  it("fail-next forces any AADSTS code once", async () => {
    const client = server.info.clients.secretBasic;
    for (const [code, error] of [
      ["AADSTS50076", "invalid_grant"],
      ["65001", "invalid_grant"],
      ["AADSTS53003", "invalid_grant"],
      ["AADSTS7000222", "invalid_client"],
      ["AADSTS700082", "invalid_grant"],
    ] as const) {
      await failNext(server.rig, { path: "token", style: "microsoft", code, clientId: client.clientId });
      const forced = await tokenCall(msToken(), client, { grant_type: "client_credentials", scope: "imap" });
      expectMicrosoftError(forced.body, error, Number(code.replace("AADSTS", "")));
    }
    const after = await tokenCall(msToken(), client, { grant_type: "client_credentials", scope: "imap" });
    expect(after.status).toBe(200);
  });

  it("fail-next on authorize redirects the error to the client", async () => {
    const { clients, users, msBase } = server.info;
    await failNext(server.rig, {
      path: "authorize",
      style: "microsoft",
      code: "AADSTS65001",
      clientId: clients.public.clientId,
    });
    const flow = await runAuthorizationFlow({
      authorizeUrl: `${msBase}/common/oauth2/v2.0/authorize`,
      client: clients.public,
      scope: OUTLOOK_IMAP,
      username: users.alice.username,
      password: users.alice.password,
    });
    expect(flow.pages).toEqual([]);
    expect(flow.callback.searchParams.get("error")).toBe("consent_required");
    expect(flow.callback.searchParams.get("error_description")).toMatch(/^AADSTS65001:/);
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
  });
});

describe("Google-style endpoints", () => {
  async function googleRefreshToken(clientName: "google" | "googleTesting") {
    const { clients, users, googleAuthorizeUrl, googleTokenUrl } = server.info;
    const flow = await runAuthorizationFlow({
      authorizeUrl: googleAuthorizeUrl,
      client: clients[clientName],
      scope: "https://mail.google.com/",
      username: users.alice.username,
      password: users.alice.password,
      extraParams: { access_type: "offline", prompt: "consent" },
    });
    return tokenCall(googleTokenUrl, clients[clientName], {
      grant_type: "authorization_code",
      code: flow.callback.searchParams.get("code")!,
      redirect_uri: flow.redirectUri,
      code_verifier: flow.codeVerifier,
    });
  }

  it("a Testing app's token responses carry refresh_token_expires_in 604799; a production app's do not", async () => {
    const testing = await googleRefreshToken("googleTesting");
    expect(testing.status).toBe(200);
    expect(testing.body.refresh_token_expires_in).toBe(604799);
    const refreshed = await tokenCall(server.info.googleTokenUrl, server.info.clients.googleTesting, {
      grant_type: "refresh_token",
      refresh_token: String(testing.body.refresh_token),
    });
    expect(refreshed.body.refresh_token_expires_in).toBe(604799);

    const production = await googleRefreshToken("google");
    expect(production.body.refresh_token).toEqual(expect.any(String));
    expect(production.body.refresh_token_expires_in).toBeUndefined();
  });

  it("answers a revoked refresh token with invalid_grant 'Token has been expired or revoked.'", async () => {
    const tokens = await googleRefreshToken("google");
    await revoke(server.rig, { user: "alice", clientId: server.info.clients.google.clientId });
    const answer = await tokenCall(server.info.googleTokenUrl, server.info.clients.google, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: "invalid_grant", error_description: "Token has been expired or revoked." });
  });

  it("answers an unknown client with invalid_client 401", async () => {
    const answer = await tokenCall(
      server.info.googleTokenUrl,
      { ...server.info.clients.google, clientId: "unknown.apps.googleusercontent.com" },
      {
        grant_type: "refresh_token",
        refresh_token: "1//x",
      },
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: "invalid_client", error_description: "The OAuth client was not found." });
  });
});
