import { describe, expect, it } from "vitest";
import { parseServiceAccountKey } from "./connection-schema";
import { normaliseAzureClientId, normaliseAzureTenant, parseGoogleClientJson } from "./pasted-values";

const REDIRECT = "https://console.example.com/api/oauth/callback";
const web = {
  client_id: "1234-abc.apps.googleusercontent.com",
  project_id: "mailbridge",
  auth_uri: "https://accounts.google.com/o/oauth2/auth",
  token_uri: "https://oauth2.googleapis.com/token",
  auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
  client_secret: "GOCSPX-secret",
  redirect_uris: [REDIRECT],
};

describe("Google's downloaded client JSON", () => {
  it("fills client id, secret and endpoints from a web client", () => {
    expect(parseGoogleClientJson(JSON.stringify({ web }), REDIRECT)).toEqual({
      clientId: web.client_id,
      clientSecret: "GOCSPX-secret",
      authorizeUrl: web.auth_uri,
      tokenUrl: web.token_uri,
      redirectUris: [REDIRECT],
      redirectWarning: null,
    });
  });

  it("reads an installed (desktop) client and warns that our Redirect URL is not registered", () => {
    const parsed = parseGoogleClientJson(
      `  ${JSON.stringify({ installed: { ...web, redirect_uris: ["http://localhost"] } })}\n`,
      REDIRECT,
    );
    expect(parsed && "clientId" in parsed && parsed.clientId).toBe(web.client_id);
    expect(parsed && "redirectWarning" in parsed && parsed.redirectWarning).toContain(
      `http://localhost) do not include ${REDIRECT}`,
    );
  });

  it("warns too when the client has no redirect URIs, and falls back to Google's endpoints", () => {
    const parsed = parseGoogleClientJson(
      JSON.stringify({ web: { client_id: "x.apps.googleusercontent.com", client_secret: "s" } }),
      REDIRECT,
    );
    expect(parsed).toMatchObject({
      authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth",
      tokenUrl: "https://oauth2.googleapis.com/token",
      redirectUris: [],
    });
    expect(parsed && "redirectWarning" in parsed && parsed.redirectWarning).toMatch(/\(none\)/);
  });

  it("leaves typing alone and explains JSON of another kind", () => {
    expect(parseGoogleClientJson("1234-abc.apps.googleusercontent.com", REDIRECT)).toBeNull();
    expect(parseGoogleClientJson('{"web": {"client_id": ', REDIRECT)).toEqual({
      error: expect.stringMatching(/not the whole JSON file/),
    });
    expect(parseGoogleClientJson('{"type": "service_account", "client_email": "a@b"}', REDIRECT)).toEqual({
      error: expect.stringMatching(/service-account key/),
    });
    expect(parseGoogleClientJson('{"other": {}}', REDIRECT)).toEqual({
      error: expect.stringMatching(/not a Google OAuth client file/),
    });
  });
});

describe("a Google service-account key JSON", () => {
  it("still fills the client email, key, key id and token URL", () => {
    const key = {
      type: "service_account",
      client_email: "svc@proj.iam.gserviceaccount.com",
      private_key: "-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n",
      private_key_id: "kid1",
      token_uri: "https://oauth2.googleapis.com/token",
    };
    expect(parseServiceAccountKey(JSON.stringify(key))).toEqual({
      clientId: key.client_email,
      privateKey: key.private_key,
      privateKeyId: "kid1",
      tokenUrl: key.token_uri,
    });
    expect(parseServiceAccountKey(JSON.stringify({ web }))).toEqual({
      error: expect.stringMatching(/not a service-account key/),
    });
  });
});

describe("an Azure tenant as pasted", () => {
  const id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  it.each([
    [id, id],
    [` {${id.toUpperCase()}}\n`, id],
    ["Contoso.onmicrosoft.com", "contoso.onmicrosoft.com"],
    ["contoso.com", "contoso.com"],
    ["organizations", "organizations"],
    [`https://login.microsoftonline.com/${id}/oauth2/v2.0/authorize?client_id=x`, id],
    ["https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0", "contoso.onmicrosoft.com"],
    [`https://sts.windows.net/${id}/`, id],
    [`https://portal.azure.com/#view/Microsoft_AAD_IAM/TenantOverview.ReactView/tenantId/${id}`, id],
    [`https://entra.microsoft.com/?tenantId=${id}#home`, id],
    ["https://portal.azure.com/#@contoso.onmicrosoft.com/resource/subscriptions", "contoso.onmicrosoft.com"],
    ["", ""],
  ])("%j → %j", (pasted, tenant) => {
    expect(normaliseAzureTenant(pasted)).toEqual({ tenant });
  });

  it("refuses what names no tenant", () => {
    for (const pasted of ["not a tenant", "https://portal.azure.com/#home", "72f988bf-86f1-41af"])
      expect(normaliseAzureTenant(pasted)).toEqual({ error: expect.stringMatching(/tenant/) });
  });
});

describe("an Azure Application (client) ID as pasted", () => {
  const id = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
  it("normalises whitespace, braces and capitals, and finds it in a portal URL", () => {
    expect(normaliseAzureClientId(`  {${id.toUpperCase()}} \n`)).toBe(id);
    expect(normaliseAzureClientId(`0a1b2c3d-4e5f-6789-abcd-\nef0123456789`)).toBe(id);
    expect(
      normaliseAzureClientId(
        `https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${id}/isMSAApp~/false`,
      ),
    ).toBe(id);
  });
  it("leaves other ids as typed, trimmed", () => {
    expect(normaliseAzureClientId(" my-client ")).toBe("my-client");
  });
});
