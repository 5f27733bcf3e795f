import { describe, expect, it } from "vitest";
import { presetDefaults } from "./presets";

describe("provider presets", () => {
  it("Microsoft 365 delegated: v2 endpoints from the tenant, one Outlook resource per token with offline_access", () => {
    const d = presetDefaults("microsoft", { tenant: "contoso.onmicrosoft.com", protocol: "imap" });
    expect(d.authorizeUrl).toBe("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
    expect(d.tokenUrl).toBe("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    expect(d.scope).toBe("https://outlook.office.com/IMAP.AccessAsUser.All offline_access");
    expect(d.server).toEqual({ host: "outlook.office365.com", port: 993 });
    expect(presetDefaults("microsoft", { protocol: "pop" }).scope).toBe(
      "https://outlook.office.com/POP.AccessAsUser.All offline_access",
    );
    expect(presetDefaults("microsoft", { protocol: "pop" }).server).toEqual({
      host: "outlook.office365.com",
      port: 995,
    });
    expect(presetDefaults("microsoft", { protocol: "smtp" }).scope).toBe(
      "https://outlook.office.com/SMTP.Send offline_access",
    );
    expect(presetDefaults("microsoft", {}).authorizeUrl).toContain("/organizations/");
  });

  it("Graph uses graph.microsoft.com scopes; app-only uses .default and client credentials", () => {
    expect(presetDefaults("microsoft", { protocol: "graph" }).scope).toBe(
      "https://graph.microsoft.com/Mail.ReadWrite https://graph.microsoft.com/Mail.Send offline_access",
    );
    const appOnly = presetDefaults("microsoft_app_only", { tenant: "t", protocol: "imap" });
    expect(appOnly).toMatchObject({
      grantType: "client_credentials",
      scope: "https://outlook.office365.com/.default",
      authorizeUrl: "",
    });
    expect(presetDefaults("microsoft_app_only", { protocol: "graph" }).scope).toBe(
      "https://graph.microsoft.com/.default",
    );
    expect(presetDefaults("microsoft_ropc", { tenant: "t" }).grantType).toBe("password");
  });

  it("sovereign clouds change the login and Outlook hosts", () => {
    const gov = presetDefaults("microsoft", { cloud: "usgov", tenant: "t" });
    expect(gov.tokenUrl).toBe("https://login.microsoftonline.us/t/oauth2/v2.0/token");
    expect(gov.server?.host).toBe("outlook.office365.us");
    expect(presetDefaults("microsoft", { cloud: "china", tenant: "t" }).authorizeUrl).toMatch(
      /^https:\/\/login\.chinacloudapi\.cn\//,
    );
  });

  it("Google asks for offline access with a consent prompt, and fills Gmail's servers", () => {
    const g = presetDefaults("google", { protocol: "imap" });
    expect(g).toMatchObject({ scope: "https://mail.google.com/", authorizeParams: { access_type: "offline" } });
    expect(g.server).toEqual({ host: "imap.gmail.com", port: 993 });
    expect(presetDefaults("google", { protocol: "pop" }).server).toEqual({ host: "pop.gmail.com", port: 995 });
    expect(presetDefaults("google_service_account").grantType).toBe("jwt_bearer");
  });
});
