import { describe, expect, it } from "vitest";
import { GUIDE_ANCHORS } from "./guide-anchors";
import { providerSetupGuide, type GuideInput } from "./setup-guide";

const REDIRECT = "https://mail.example.com/api/oauth/callback";
const APP = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OBJECT = "11111111-2222-3333-4444-555555555555";
const base: GuideInput = {
  preset: "microsoft",
  grantType: "authorization_code",
  direction: "incoming",
  protocol: "imap",
  redirectUrl: REDIRECT,
  clientId: APP,
  tenant: TENANT,
  mailbox: "support@contoso.com",
  scope: "",
  servicePrincipalId: "",
  serviceAccountUniqueId: "",
};
const guide = (extra: Partial<GuideInput>) => providerSetupGuide({ ...base, ...extra });
const step = (steps: ReturnType<typeof guide>, id: string) => steps.find((s) => s.id === id);
const ids = (steps: ReturnType<typeof guide>) => steps.map((s) => s.id);

describe("the provider setup guide, Microsoft", () => {
  it("delegated IMAP: the exact Redirect URL, IMAP.AccessAsUser.All with offline_access, admin consent; no PowerShell", () => {
    const steps = guide({});
    expect(step(steps, GUIDE_ANCHORS.registerApp)?.values).toEqual([REDIRECT]);
    expect(step(steps, GUIDE_ANCHORS.registerApp)?.text.join(" ")).toContain(`(now: ${APP})`);
    expect(step(steps, GUIDE_ANCHORS.apiPermissions)?.values).toEqual(["IMAP.AccessAsUser.All", "offline_access"]);
    expect(step(steps, GUIDE_ANCHORS.adminConsent)?.text[0]).toContain(TENANT);
    expect(steps.some((s) => s.commands)).toBe(false);
  });

  it("delegated POP and SMTP ask for their own permission; sending via SMTP turns on Authenticated SMTP for the mailbox", () => {
    expect(step(guide({ protocol: "pop" }), GUIDE_ANCHORS.apiPermissions)?.values).toEqual([
      "POP.AccessAsUser.All",
      "offline_access",
    ]);
    const smtp = guide({ direction: "outgoing", protocol: "smtp" });
    expect(step(smtp, GUIDE_ANCHORS.apiPermissions)?.values).toEqual(["SMTP.Send", "offline_access"]);
    expect(step(smtp, GUIDE_ANCHORS.authenticatedSmtp)?.commands).toEqual([
      "Set-CASMailbox -Identity support@contoso.com -SmtpClientAuthenticationDisabled $false",
    ]);
    expect(step(guide({}), GUIDE_ANCHORS.authenticatedSmtp)).toBeUndefined();
  });

  it("app-only reading: IMAP.AccessAsApp, no Redirect URL, the service principal and FullAccess lines with the admin's values", () => {
    const steps = guide({ preset: "microsoft_app_only", grantType: "client_credentials", servicePrincipalId: OBJECT });
    expect(step(steps, GUIDE_ANCHORS.registerApp)?.values).toBeUndefined();
    expect(step(steps, GUIDE_ANCHORS.apiPermissions)?.values).toEqual(["IMAP.AccessAsApp"]);
    expect(step(steps, GUIDE_ANCHORS.apiPermissions)?.text[0]).toContain("Office 365 Exchange Online");
    expect(step(steps, GUIDE_ANCHORS.servicePrincipal)?.commands).toEqual([
      `Connect-ExchangeOnline -Organization ${TENANT}`,
      `New-ServicePrincipal -AppId ${APP} -ObjectId ${OBJECT}`,
    ]);
    expect(step(steps, GUIDE_ANCHORS.mailboxPermission)?.commands).toEqual([
      `Add-MailboxPermission -Identity support@contoso.com -User ${OBJECT} -AccessRights FullAccess`,
    ]);
    expect(
      step(
        guide({ preset: "microsoft_app_only", grantType: "client_credentials", protocol: "pop" }),
        GUIDE_ANCHORS.apiPermissions,
      )?.values,
    ).toEqual(["POP.AccessAsApp"]);
  });

  it("app-only sending: SMTP.SendAsApp, Send As for the service principal and Authenticated SMTP; placeholders until values are typed", () => {
    const steps = guide({
      preset: "microsoft_app_only",
      grantType: "client_credentials",
      direction: "outgoing",
      protocol: "smtp",
      clientId: "",
      mailbox: " ",
    });
    expect(step(steps, GUIDE_ANCHORS.apiPermissions)?.values).toEqual(["SMTP.SendAsApp"]);
    expect(step(steps, GUIDE_ANCHORS.servicePrincipal)?.commands?.[1]).toBe(
      "New-ServicePrincipal -AppId <Application (client) ID> -ObjectId <service principal Object ID>",
    );
    expect(step(steps, GUIDE_ANCHORS.mailboxPermission)?.commands).toEqual([
      "Add-MailboxPermission -Identity <mailbox address> -User <service principal Object ID> -AccessRights FullAccess",
      "Add-RecipientPermission -Identity <mailbox address> -Trustee <service principal Object ID> -AccessRights SendAs",
    ]);
    expect(ids(steps)).toContain(GUIDE_ANCHORS.authenticatedSmtp);
  });
});

describe("the provider setup guide, Google", () => {
  it("a web client: consent screen, Gmail's scope, the mailbox as test user with the 7-day limit, publishing, the Redirect URL", () => {
    const steps = guide({ preset: "google", mailbox: "alice@example.org" });
    expect(ids(steps)).toEqual([
      GUIDE_ANCHORS.googleConsentScreen,
      GUIDE_ANCHORS.googleScope,
      GUIDE_ANCHORS.googleTestUsers,
      GUIDE_ANCHORS.googlePublish,
      GUIDE_ANCHORS.googleClient,
    ]);
    expect(step(steps, GUIDE_ANCHORS.googleScope)?.values).toEqual(["https://mail.google.com/"]);
    expect(step(steps, GUIDE_ANCHORS.googleTestUsers)?.text[0]).toContain("add alice@example.org");
    expect(step(steps, GUIDE_ANCHORS.googleTestUsers)?.warning).toContain("7 days");
    expect(step(steps, GUIDE_ANCHORS.googleClient)?.values).toEqual([REDIRECT]);
  });

  it("a service account: the domain-wide delegation line with its Unique ID and the scope", () => {
    const steps = guide({
      preset: "google_service_account",
      grantType: "jwt_bearer",
      serviceAccountUniqueId: "109876543210",
      mailbox: "bob@example.org",
    });
    expect(step(steps, GUIDE_ANCHORS.domainWideDelegation)?.values).toEqual([
      "109876543210",
      "https://mail.google.com/",
    ]);
    expect(step(steps, GUIDE_ANCHORS.domainWideDelegation)?.text[1]).toContain("bob@example.org");
    expect(
      step(guide({ preset: "google_service_account", grantType: "jwt_bearer" }), GUIDE_ANCHORS.domainWideDelegation)
        ?.values?.[0],
    ).toBe("<service account Unique ID>");
  });
});

describe("a generic provider", () => {
  it("names the Redirect URL and the scope", () => {
    expect(guide({ preset: "generic", scope: "mail offline_access" })).toEqual([
      expect.objectContaining({ id: GUIDE_ANCHORS.genericClient, values: [REDIRECT, "mail offline_access"] }),
    ]);
  });
});
