// The provider's side on the settings pages: a pasted Google client JSON fills its fields, and the setup
// guide shows the admin's own values (redirect URL, app id, mailbox) as they type.
import { expect, test } from "./fixtures";

test("pasting Google's downloaded client JSON fills client id, secret and endpoints, and warns about a missing redirect URI", async ({ adminPage: page }) => {
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

  await page.getByLabel("Downloaded client JSON (optional)").fill(JSON.stringify({ installed: { ...client, client_id: "5678-def.apps.googleusercontent.com", redirect_uris: ["http://localhost"] } }));
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
  await expect(page.getByLabel("Access Token URL")).toHaveValue(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
});
