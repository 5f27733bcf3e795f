import { importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jwtParts, startTestAuthServer, tokenCall, type TestAuthServer } from "./test-support";

let server: TestAuthServer;
beforeAll(async () => {
  server = await startTestAuthServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

async function serviceAccountAssertion(claims: {
  sub?: string;
  scope?: string;
  aud?: string;
  lifetime?: string;
  key?: string;
}) {
  const { serviceAccount } = server.info;
  const key = await importPKCS8(claims.key ?? serviceAccount.privateKeyPem, "RS256");
  return new SignJWT({ scope: claims.scope ?? "https://mail.google.com/" })
    .setProtectedHeader({ alg: "RS256", kid: serviceAccount.keyId, typ: "JWT" })
    .setIssuer(serviceAccount.clientEmail)
    .setSubject(claims.sub ?? "alice@rig.test")
    .setAudience(claims.aud ?? serviceAccount.tokenUri)
    .setIssuedAt()
    .setExpirationTime(claims.lifetime ?? "1h")
    .sign(key);
}

describe("grants and client authentication", () => {
  it("client credentials: an app-only JWT for outlook with roles, for each client-authentication method", async () => {
    const { clients, tokenUrl } = server.info;
    for (const client of [clients.appOnly, clients.secretPost, clients.secretBasic, clients.privateKeyJwt]) {
      const answer = await tokenCall(tokenUrl, client, {
        grant_type: "client_credentials",
        scope: "https://outlook.office365.com/.default",
      });
      expect(answer.status, `${client.clientId}: ${JSON.stringify(answer.body)}`).toBe(200);
      const { header, payload } = jwtParts(String(answer.body.access_token));
      expect(header.typ).toBe("JWT");
      expect(payload).toMatchObject({
        aud: "https://outlook.office.com",
        client_id: client.clientId,
        azp: client.clientId,
        sub: client.clientId,
      });
      expect(payload.roles).toContain("IMAP.AccessAsApp");
      expect(payload.email).toBeUndefined();
      expect(answer.body.refresh_token).toBeUndefined();
    }
  });

  it("private_key_jwt also accepts an assertion addressed to the issuer or the Microsoft-style token URL", async () => {
    const { clients, issuer, msBase } = server.info;
    const viaIssuer = await tokenCall(
      server.info.tokenUrl,
      clients.privateKeyJwt,
      { grant_type: "client_credentials", scope: "imap" },
      { assertionAudience: issuer },
    );
    expect(viaIssuer.status).toBe(200);
    const msToken = `${msBase}/rig.test/oauth2/v2.0/token`;
    const viaMicrosoft = await tokenCall(msToken, clients.privateKeyJwt, {
      grant_type: "client_credentials",
      scope: "https://graph.microsoft.com/.default",
    });
    expect(viaMicrosoft.status).toBe(200);
    expect(jwtParts(String(viaMicrosoft.body.access_token)).payload.aud).toBe("https://graph.microsoft.com");
  });

  it("refuses a wrong client secret and a client that is not registered", async () => {
    const { clients, tokenUrl } = server.info;
    const wrongSecret = await tokenCall(
      tokenUrl,
      { ...clients.secretPost, clientSecret: "nope" },
      { grant_type: "client_credentials", scope: "imap" },
    );
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe("invalid_client");
    const unknown = await tokenCall(
      tokenUrl,
      { ...clients.secretPost, clientId: "nobody" },
      { grant_type: "client_credentials", scope: "imap" },
    );
    expect(unknown.body.error).toBe("invalid_client");
  });

  it("resource-owner password credentials: the user's token, a refresh token with offline_access, refusal of a wrong password", async () => {
    const { clients, users, tokenUrl } = server.info;
    for (const client of [clients.ropc, clients.secretBasic]) {
      const answer = await tokenCall(tokenUrl, client, {
        grant_type: "password",
        username: users.bob.username,
        password: users.bob.password,
        scope: "https://outlook.office.com/POP.AccessAsUser.All offline_access",
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const { header, payload } = jwtParts(String(answer.body.access_token));
      expect(header).toMatchObject({ alg: "RS256", typ: "JWT", kid: expect.any(String) });
      expect(payload).toMatchObject({
        sub: "bob@rig.test",
        email: "bob@rig.test",
        preferred_username: "bob@rig.test",
        aud: "https://outlook.office.com",
        scope: "https://outlook.office.com/POP.AccessAsUser.All",
        client_id: client.clientId,
        iss: server.info.issuer,
      });
      expect(typeof payload.exp).toBe("number");
      expect(answer.body.refresh_token).toEqual(expect.any(String));
    }
    const refused = await tokenCall(tokenUrl, clients.ropc, {
      grant_type: "password",
      username: users.bob.username,
      password: "wrong",
      scope: "imap",
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_grant");
  });

  it("refuses scopes of two resources in one token request", async () => {
    const { clients, users, tokenUrl } = server.info;
    const answer = await tokenCall(tokenUrl, clients.ropc, {
      grant_type: "password",
      username: users.alice.username,
      password: users.alice.password,
      scope: "https://outlook.office.com/IMAP.AccessAsUser.All https://graph.microsoft.com/Mail.Read",
    });
    expect(answer.body.error).toBe("invalid_scope");
  });

  it("refresh rotates the refresh token and refuses the old one afterwards", async () => {
    const { clients, users, tokenUrl } = server.info;
    const first = await tokenCall(tokenUrl, clients.ropc, {
      grant_type: "password",
      username: users.alice.username,
      password: users.alice.password,
      scope: "imap smtp offline_access",
    });
    const original = String(first.body.refresh_token);
    const rotated = await tokenCall(tokenUrl, clients.ropc, { grant_type: "refresh_token", refresh_token: original });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toEqual(expect.any(String));
    expect(rotated.body.refresh_token).not.toBe(original);
    const { payload } = jwtParts(String(rotated.body.access_token));
    expect(payload).toMatchObject({
      sub: "alice@rig.test",
      email: "alice@rig.test",
      aud: "urn:rig:mail",
      scope: "imap smtp",
    });

    const reused = await tokenCall(tokenUrl, clients.ropc, { grant_type: "refresh_token", refresh_token: original });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("invalid_grant");
  });

  it("JWT bearer grant: a service account acts as a mailbox at the Google-style token URL", async () => {
    const { googleTokenUrl, tokenUrl } = server.info;
    const response = await fetch(googleTokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: JWT_BEARER,
        assertion: await serviceAccountAssertion({ sub: "shared@rig.test" }),
      }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.refresh_token).toBeUndefined();
    const { header, payload } = jwtParts(String(body.access_token));
    expect(header.typ).toBe("JWT");
    expect(payload).toMatchObject({
      sub: "shared@rig.test",
      email: "shared@rig.test",
      aud: "https://mail.google.com/",
      scope: "https://mail.google.com/",
      client_id: server.info.serviceAccount.clientEmail,
    });

    // the plain token URL works too when the assertion is addressed to it
    const plain = await tokenCall(tokenUrl, server.info.clients.serviceAccount, {
      grant_type: JWT_BEARER,
      assertion: await serviceAccountAssertion({ aud: tokenUrl, scope: "imap" }),
    });
    expect(plain.status).toBe(200);
  });

  it("JWT bearer grant: refuses a foreign signature, an unknown mailbox and a too long lifetime", async () => {
    const { googleTokenUrl, clients } = server.info;
    const post = async (assertion: string) => {
      const response = await fetch(googleTokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    expect(await post(await serviceAccountAssertion({ key: clients.privateKeyJwt.privateKeyPem }))).toMatchObject({
      error: "invalid_grant",
      error_description: "Invalid JWT Signature.",
    });
    expect(await post(await serviceAccountAssertion({ sub: "nobody@rig.test" }))).toMatchObject({
      error: "invalid_grant",
      error_description: "Invalid email or User ID",
    });
    expect(await post(await serviceAccountAssertion({ lifetime: "3h" }))).toMatchObject({ error: "invalid_grant" });
  });

  it("public clients exist for PKCE-only flows and may not use client credentials", async () => {
    const answer = await tokenCall(server.info.tokenUrl, server.info.clients.public, {
      grant_type: "client_credentials",
      scope: "imap",
    });
    expect(answer.status).toBe(400);
  });
});
