// The provider's side on the settings pages: a pasted Google client JSON fills its fields, and the setup
// guide shows the admin's own values (redirect URL, app id, mailbox) as they type.
import { expect, test } from "./fixtures";

test("pasting Google's downloaded client JSON fills client id, secret and endpoints, and warns about a missing redirect URI", async ({
  adminPage: page,
}) => {
  await page.goto("/oauth/new");
  await page.getByLabel("Provider").selectOption({ label: "Google / Gmail" });
  const redirectUrl = await page.getByLabel("Redirect URL").inputValue();
  const client = {
    client_id: "1234-abc.apps.googleusercontent.com",
    project_id: "mailbridge-test",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    client_secret: "GOCSPX-pasted-secret",
    redirect_uris: [redirectUrl],
  };
  await page.getByLabel("Downloaded client JSON (optional)").fill(JSON.stringify({ web: client }, null, 2));
  await expect(page.getByLabel("Client ID")).toHaveValue(client.client_id);
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveValue(client.client_secret);
  await expect(page.getByLabel("Authorize URL")).toHaveValue(client.auth_uri);
  await expect(page.getByLabel("Access Token URL")).toHaveValue(client.token_uri);
  await expect(page.getByRole("status").filter({ hasText: "filled from the file" })).toBeVisible();

  await page.getByLabel("Downloaded client JSON (optional)").fill(
    JSON.stringify({
      installed: { ...client, client_id: "5678-def.apps.googleusercontent.com", redirect_uris: ["http://localhost"] },
    }),
  );
  await expect(page.getByLabel("Client ID")).toHaveValue("5678-def.apps.googleusercontent.com");
  await expect(page.getByRole("alert").filter({ hasText: `do not include ${redirectUrl}` })).toBeVisible();
});

test("an Azure tenant and application id pasted from the portal are normalised", async ({ adminPage: page }) => {
  await page.goto("/oauth/new");
  await page.getByLabel("Provider").selectOption({ label: "Microsoft 365 (work/school)" });
  const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  await page.getByLabel("Tenant").fill(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`);
  await page.getByLabel("Client ID").fill(" {0A1B2C3D-4E5F-6789-ABCD-EF0123456789} ");
  await page.getByLabel("Tenant").click();
  await expect(page.getByLabel("Tenant")).toHaveValue(tenant);
  await expect(page.getByLabel("Client ID")).toHaveValue("0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  await expect(page.getByLabel("Access Token URL")).toHaveValue(
    `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
  );
});

test("the setup guide shows the admin's redirect URL, app id and mailbox in the PowerShell lines and follows the fields", async ({
  adminPage: page,
}) => {
  const appId = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
  const objectId = "11111111-2222-3333-4444-555555555555";
  await page.goto("/incoming/new");
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Authentication Type").selectOption("oauth");
  await page.getByLabel("Provider").selectOption({ label: "Microsoft 365 (work/school)" });
  const guide = page.getByRole("group", { name: "Setup guide" });
  const redirectUrl = await page.getByLabel("Redirect URL").inputValue();
  expect(redirectUrl).toMatch(/\/api\/oauth\/callback$/);
  await expect(guide.locator("#guide-register-app")).toContainText(redirectUrl);
  await expect(guide.locator("#guide-api-permissions")).toContainText("IMAP.AccessAsUser.All");
  await expect(guide.locator("#guide-api-permissions")).toContainText("offline_access");
  await expect(guide.locator("#guide-service-principal")).toHaveCount(0);

  await page.getByLabel("Provider").selectOption({ label: "Microsoft 365 app-only (client credentials)" });
  await page.getByLabel("Username").fill("support@contoso.com");
  await page.getByLabel("Client ID").fill(appId);
  await expect(guide.locator("#guide-api-permissions")).toContainText("IMAP.AccessAsApp");
  const principal = guide.locator("#guide-service-principal");
  await expect(principal).toContainText(`New-ServicePrincipal -AppId ${appId} -ObjectId <service principal Object ID>`);
  await expect(principal.getByRole("button", { name: "Copy" })).toHaveCount(2);
  await guide.getByLabel("Service principal Object ID").fill(objectId);
  await expect(principal).toContainText(`New-ServicePrincipal -AppId ${appId} -ObjectId ${objectId}`);
  await expect(guide.locator("#guide-mailbox-permission")).toContainText(
    `Add-MailboxPermission -Identity support@contoso.com -User ${objectId} -AccessRights FullAccess`,
  );

  // Changing the fields changes the lines.
  await page.getByLabel("Username").fill("sales@contoso.com");
  await page.getByLabel("Client ID").fill("99999999-8888-7777-6666-555555555555");
  await expect(principal).toContainText(
    `New-ServicePrincipal -AppId 99999999-8888-7777-6666-555555555555 -ObjectId ${objectId}`,
  );
  await expect(guide.locator("#guide-mailbox-permission")).toContainText(
    `Add-MailboxPermission -Identity sales@contoso.com -User ${objectId}`,
  );

  // Sending: Send As for the service principal and Authenticated SMTP for the mailbox.
  await page.goto("/outgoing");
  await page.getByLabel("Connection Protocol").selectOption("smtp");
  await page.getByLabel("Authentication Type").selectOption("oauth");
  await page.getByLabel("Provider").selectOption({ label: "Microsoft 365 app-only (client credentials)" });
  await page.getByLabel("Username").first().fill("sender@contoso.com");
  await page.getByLabel("Client ID").fill(appId);
  const sendGuide = page.getByRole("group", { name: "Setup guide" });
  await expect(sendGuide.locator("#guide-api-permissions")).toContainText("SMTP.SendAsApp");
  await expect(sendGuide.locator("#guide-mailbox-permission")).toContainText(
    "Add-RecipientPermission -Identity sender@contoso.com -Trustee <service principal Object ID> -AccessRights SendAs",
  );
  await expect(sendGuide.locator("#guide-authenticated-smtp")).toContainText(
    "Set-CASMailbox -Identity sender@contoso.com -SmtpClientAuthenticationDisabled $false",
  );
});

test("a 535 5.7.3 from Exchange links its hint to the service-principal step of the guide", async ({
  adminPage: page,
  rig,
}) => {
  const client = rig.auth.clients.appOnly;
  await page.goto("/outgoing");
  await page.getByLabel("Connection Protocol").selectOption("smtp");
  await page.getByLabel("Authentication Type").selectOption("oauth");
  await page.getByLabel("Provider").selectOption({ label: "Microsoft 365 app-only (client credentials)" });
  await page.getByLabel("Server Name / IP Address", { exact: true }).fill(rig.exchange.host);
  await page.getByLabel("Port", { exact: true }).fill(String(rig.exchange.smtpPort));
  await page.getByLabel("Alternate Server Name / IP Address").fill("");
  // The token is valid, but Exchange has no such mailbox for the app: 535 5.7.3.
  await page.getByLabel("Username").first().fill("nobody@rig.test");
  await page.getByLabel("Client ID").fill(client.clientId);
  await page.getByLabel("Client Secret", { exact: true }).fill(client.clientSecret ?? "");
  await page.getByLabel("Access Token URL").fill(rig.auth.tokenUrl);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("535 5.7.3").first()).toBeVisible({ timeout: 30_000 });
  const hint = page.getByRole("note").filter({ hasText: "Microsoft refused the token" });
  await expect(hint).toBeVisible();
  await hint.getByRole("link", { name: "Show the setup step that fixes this" }).click();
  await expect(page).toHaveURL(/#guide-service-principal$/);
  await expect(page.locator("#guide-service-principal")).toContainText(
    `New-ServicePrincipal -AppId ${client.clientId}`,
  );
  await expect(page.locator("#guide-service-principal")).toBeInViewport();
});
