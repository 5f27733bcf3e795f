// OAuth connections in Chromium against the rig's authorization server: a Generic OAuth 2.0 connection saved
// and consented in the popup, the same with popups blocked (full-page redirect), a denied consent's hint, and
// the client secret never reaching the browser, return paths that leave the console, banner texts from codes
// only, and a consent by the account the provider remembered instead of the mailbox's.
import type { Page, Response } from "@playwright/test";
import type { RigInfo } from "../rig/info";
import { revoke } from "../rig/auth-client";
import { expect, test } from "./fixtures";
import { consentInPopup, signInAndConsent } from "./rig-consent";

const SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access";

/** Every response body the page receives (documents, RSC payloads, server-action answers, JSON). */
function recordResponses(page: Page, consoleUrl: string): () => Promise<string[]> {
  const pending: Promise<string>[] = [];
  page.on("response", (response: Response) => {
    if (response.url().startsWith(consoleUrl)) pending.push(response.text().catch(() => ""));
  });
  return () => Promise.all(pending);
}

/** A Generic OAuth 2.0 connection to the rig's server, endpoints discovered: every test names the same application. */
async function fillGeneric(page: Page, rig: RigInfo, user: string, opts: { scope?: string } = {}) {
  await page.goto("/oauth/new");
  await page.getByLabel("Provider").selectOption({ label: "Generic OAuth 2.0" });
  await page.getByLabel("Grant type").selectOption({ label: "Authorization code (interactive sign-in)" });
  const client = rig.auth.clients.secretPost;
  await page.getByLabel("Client ID").fill(client.clientId);
  await page.getByLabel("Client Secret", { exact: true }).fill(client.clientSecret ?? "");
  await page.getByLabel("Issuer").fill(rig.auth.issuer);
  await page.getByRole("button", { name: "Discover endpoints" }).click();
  await expect(page.getByText("Endpoints filled from the provider's metadata.")).toBeVisible();
  await expect(page.getByLabel("Authorize URL")).toHaveValue(rig.auth.authorizeUrl);
  await expect(page.getByLabel("Access Token URL")).toHaveValue(rig.auth.tokenUrl);
  await page.getByLabel("Scope").fill(opts.scope ?? SCOPE);
  await page.getByLabel("Mailbox (login hint)").fill(user);
}

test("an admin saves a Generic OAuth 2.0 connection and consents in the popup", async ({
  adminPage: page,
  rig,
  console: info,
}) => {
  const responses = recordResponses(page, info.url);
  const alice = rig.auth.users.alice;
  await fillGeneric(page, rig, alice.username);
  await expect(page.getByLabel("Redirect URL")).toHaveValue(new RegExp("/api/oauth/callback$"));
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), alice);
  await expect(page.getByRole("status").filter({ hasText: "Signed in: the provider issued tokens" })).toBeVisible();
  await expect(page).toHaveURL(/\/oauth\/[a-z0-9]+$/);

  // the stored connection shows as connected, the secret only as "stored"
  await page.reload();
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveAttribute("placeholder", /stored/);
  await page.goto("/oauth");
  const row = page.getByRole("row").filter({ hasText: alice.username }).last();
  await expect(row.getByText("Connected")).toBeVisible();

  const secret = rig.auth.clients.secretPost.clientSecret ?? "";
  expect(secret.length).toBeGreaterThan(8);
  const bodies = await responses();
  expect(bodies.length).toBeGreaterThan(3);
  for (const body of bodies) expect(body).not.toContain(secret);
});

test("with popups blocked the consent runs as a full-page redirect back to the settings page", async ({
  adminPage: page,
  rig,
}) => {
  await page.addInitScript(() => {
    window.open = () => null;
  });
  const bob = rig.auth.users.bob;
  await fillGeneric(page, rig, bob.username);
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL((url) => url.origin === new URL(rig.auth.issuer).origin);
  await signInAndConsent(page, bob);
  await page.waitForURL(/\/oauth\/[a-z0-9]+$/);
  await expect(page.getByRole("status").filter({ hasText: "Signed in: the provider issued tokens" })).toBeVisible();
});

test("a denied consent comes back as a hint, escaped", async ({ adminPage: page, rig }) => {
  const alice = rig.auth.users.alice;
  await fillGeneric(page, rig, alice.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), alice, "Deny");
  await expect(page.getByRole("alert").filter({ hasText: "access_denied" })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("Consent was denied");
});

test("a revoked grant shows as reconnect needed on the dashboard and the connection; Reconnect repairs it", async ({
  adminPage: page,
  rig,
}) => {
  const shared = rig.auth.users.shared;
  await fillGeneric(page, rig, shared.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), shared);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();
  const connectionUrl = page.url();

  await revoke(rig, { user: shared.username });
  await page.reload();
  const status = page.getByRole("region", { name: "Connection status" });
  await status.getByRole("button", { name: "Test" }).click();
  await expect(status.getByRole("alert").filter({ hasText: "needs to be reconnected" })).toBeVisible();
  await expect(status.getByText("Reconnect needed")).toBeVisible();
  await page.goto("/");
  await expect(
    page
      .getByRole("region", { name: "Expiry warnings" })
      .getByText(`The OAuth connection for ${shared.username} needs to be reconnected`),
  ).toBeVisible();

  await page.goto(connectionUrl);
  await consentInPopup(page, () => status.getByRole("button", { name: "Reconnect" }).click(), shared);
  await expect(status.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();
  await expect(status.getByText("Connected")).toBeVisible();
  await status.getByRole("button", { name: "Test" }).click();
  await expect(status.getByRole("status").filter({ hasText: "Token obtained" })).toBeVisible();
});

test("a second connection reuses the stored application and its secret", async ({ adminPage: page, rig }) => {
  const { alice, bob } = rig.auth.users;
  await fillGeneric(page, rig, alice.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), alice);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();

  await page.goto("/oauth/new");
  const client = rig.auth.clients.secretPost;
  await page.getByLabel("OAuth application").selectOption({ label: `Generic OAuth 2.0 · ${client.clientId}` });
  await expect(page.getByLabel("Client ID")).toHaveValue(client.clientId);
  await expect(page.getByLabel("Access Token URL")).toHaveValue(rig.auth.tokenUrl);
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveAttribute("placeholder", /stored/);
  await page.getByLabel("Scope").fill(SCOPE);
  await page.getByLabel("Mailbox (login hint)").fill(bob.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), bob);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();
});

test("a Google app in Testing: the 7-day refresh token is warned about on the connection and the dashboard", async ({
  adminPage: page,
  rig,
}) => {
  const bob = rig.auth.users.bob;
  const client = rig.auth.clients.googleTesting;
  await page.goto("/oauth/new");
  await page.getByLabel("Provider").selectOption({ label: "Google / Gmail" });
  await expect(page.getByLabel("Authorize URL")).toHaveValue("https://accounts.google.com/o/oauth2/v2/auth");
  await expect(page.getByLabel("Scope")).toHaveValue("https://mail.google.com/");
  await page.getByLabel("Client ID").fill(client.clientId);
  await page.getByLabel("Client Secret", { exact: true }).fill(client.clientSecret ?? "");
  await page.getByLabel("Authorize URL").fill(rig.auth.googleAuthorizeUrl);
  await page.getByLabel("Access Token URL").fill(rig.auth.googleTokenUrl);
  await page.getByLabel("Mailbox (login hint)").fill(bob.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), bob);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();

  await page.reload();
  // Two notices: the Testing-mode expiry, and (no ID token, no userinfo for this issuer) an unchecked account.
  const notices = page.getByRole("region", { name: "Connection status" }).getByRole("alert");
  await expect(notices.filter({ hasText: "The refresh token expires on" })).toContainText(
    'the Google app is in "Testing"',
  );
  await expect(notices.filter({ hasText: "Signed in, but which account" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("region", { name: "Expiry warnings" })).toContainText('the Google app is in "Testing"');
});

test("closing the consent popup without signing in says so and leaves the connection waiting", async ({
  adminPage: page,
  rig,
}) => {
  await fillGeneric(page, rig, rig.auth.users.alice.username);
  const popupPromise = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Save" }).click();
  const popup = await popupPromise;
  await popup.getByLabel("Email").waitFor();
  await popup.close();
  await expect(
    page.getByRole("alert").filter({ hasText: "The sign-in window was closed before the sign-in finished." }),
  ).toBeVisible();
  await page.goto("/oauth");
  await expect(
    page
      .getByRole("row")
      .filter({ hasText: rig.auth.users.alice.username })
      .filter({ hasText: "Waiting for sign-in" })
      .first(),
  ).toBeVisible();
});

test("a viewer can read the OAuth page but not create connections", async ({ viewerPage: page }) => {
  await page.goto("/oauth");
  await expect(page.getByRole("heading", { name: "OAuth applications" })).toBeVisible();
  await expect(page.getByRole("link", { name: "New connection" })).toHaveCount(0);
});

test("a viewer sees the OAuth connection and application pages read-only, with a notice and disabled inputs", async ({
  adminPage,
  viewerPage,
  rig,
}) => {
  // The admin saves a connection (left waiting for its sign-in): it and its application exist for the viewer.
  await fillGeneric(adminPage, rig, rig.auth.users.alice.username);
  const popupPromise = adminPage.waitForEvent("popup");
  await adminPage.getByRole("button", { name: "Save" }).click();
  await (await popupPromise).close();
  await expect(adminPage).toHaveURL(/\/oauth\/[a-z0-9]+$/);
  const connectionPath = new URL(adminPage.url()).pathname;

  await viewerPage.goto(connectionPath);
  await expect(viewerPage.getByRole("note", { name: "Read-only" })).toContainText("You are signed in as a Viewer");
  await expect(viewerPage.getByLabel("Client ID")).toBeDisabled();
  await expect(viewerPage.getByRole("button", { name: "Save" })).toHaveCount(0);

  await viewerPage.goto("/oauth");
  const section = viewerPage.getByRole("region").filter({ has: viewerPage.locator(`a[href="${connectionPath}"]`) });
  await section.getByRole("link", { name: "View application" }).click();
  await expect(viewerPage.getByRole("heading", { name: "OAuth application" })).toBeVisible();
  await expect(viewerPage.getByRole("note", { name: "Read-only" })).toBeVisible();
  await expect(viewerPage.getByLabel("Client ID")).toBeDisabled();
  await expect(viewerPage.getByRole("button", { name: "Save application" })).toHaveCount(0);
});

test("return paths that leave the console are refused, at the start and at the end of a real consent", async ({
  adminPage: page,
  rig,
  console: info,
}) => {
  const origin = new URL(info.url).origin;
  // Nothing may leave this machine: a navigation to the attacker's host is stopped before any lookup.
  const escaped: string[] = [];
  await page.route(
    (url) => url.hostname.endsWith("evil.example"),
    (route) => {
      escaped.push(route.request().url());
      return route.abort();
    },
  );
  for (const evil of [
    "/\\evil.example/x",
    "/\t/evil.example/",
    "//evil.example/",
    "/\\/evil.example",
    "https://evil.example/",
  ]) {
    const response = await page.request.get(
      `/api/oauth/start?${new URLSearchParams({ mode: "redirect", returnTo: evil, connectionId: "no-such-connection" })}`,
      { maxRedirects: 0 },
    );
    expect(response.status()).toBe(303);
    const location = new URL(response.headers().location, info.url);
    expect(location.origin, `returnTo ${JSON.stringify(evil)}`).toBe(origin);
    expect(location.pathname).toBe("/oauth");
  }

  const alice = rig.auth.users.alice;
  await fillGeneric(page, rig, alice.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), alice);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();
  const connectionId = new URL(page.url()).pathname.split("/").pop() ?? "";
  for (const evil of ["/\t/evil.example/", "/\\evil.example/x"]) {
    await page.goto(`/api/oauth/start?${new URLSearchParams({ mode: "redirect", returnTo: evil, connectionId })}`);
    await signInAndConsent(page, alice);
    await page.waitForURL(
      (url) =>
        url.searchParams.has("oauth") || url.hostname.endsWith("evil.example") || url.protocol === "chrome-error:",
    );
    expect(new URL(page.url()).origin).toBe(origin);
    await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();
  }
  expect(escaped).toEqual([]);
});

test("after a full-page consent the banner shows texts for codes only, never text from the address", async ({
  adminPage: page,
}) => {
  const planted = "Your account is locked: call +1 555 0100";
  await page.goto(
    `/oauth/new?${new URLSearchParams({ oauth: "error", oauth_code: "access_denied", oauth_error: planted, oauth_hint: JSON.stringify({ code: "x", title: planted, action: planted }) })}`,
  );
  await expect(
    page.getByRole("alert").filter({ hasText: "The sign-in was cancelled or consent refused." }),
  ).toBeVisible();
  await expect(page.getByRole("note").filter({ hasText: "Consent was denied" })).toBeVisible();
  await expect(page.getByText(planted)).toHaveCount(0);

  await page.goto(`/oauth/new?${new URLSearchParams({ oauth: "error", oauth_code: planted })}`);
  await expect(page.getByRole("alert").filter({ hasText: "The sign-in did not complete." })).toBeVisible();
  await expect(page.getByText("call +1 555")).toHaveCount(0);
  // the outcome is consumed: a reload shows nothing
  await expect(page).toHaveURL(/\/oauth\/new$/);
});

test("with the provider remembering another account, the page says who signed in, and Sign in as someone else fixes it", async ({
  adminPage: page,
  rig,
}) => {
  const { alice, bob } = rig.auth.users;
  const scope = `openid email ${SCOPE}`;
  // bob signs in at the provider in this browser first (his own mailbox)
  await fillGeneric(page, rig, bob.username, { scope });
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), bob);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();
  await expect(page.getByText("this mailbox is")).toHaveCount(0);

  // alice's mailbox: the provider hands out bob's grant without asking
  await fillGeneric(page, rig, alice.username, { scope });
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), bob);
  const notice = page
    .getByRole("alert")
    .filter({ hasText: "Signed in as bob@rig.test, this mailbox is alice@rig.test." });
  await expect(notice).toBeVisible();

  const popupPromise = page.waitForEvent("popup");
  await notice.getByRole("button", { name: "Sign in as someone else" }).click();
  const popup = await popupPromise;
  const closed = popup.waitForEvent("close", { timeout: 30_000 });
  // prompt=login: the provider asks who signs in although bob's session is open
  await expect(popup.getByLabel("Email")).toBeVisible();
  await signInAndConsent(popup, alice);
  await closed;
  await expect(
    page.getByRole("status").filter({ hasText: "Signed in again: the tokens are now for this mailbox's account." }),
  ).toBeVisible();
  await page.reload();
  await expect(page.getByText("this mailbox is")).toHaveCount(0);
});

test("a stored application brings its scope to a new mailbox, the protocol leaves its endpoints alone, and a generic provider gets no Microsoft wording", async ({
  adminPage: page,
  rig,
}) => {
  const alice = rig.auth.users.alice;
  const client = rig.auth.clients.secretPost;
  await fillGeneric(page, rig, alice.username);
  await expect(page.getByText(/Azure|outlook\.office\.com scopes/)).toHaveCount(0);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), alice);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();

  await page.goto("/incoming/new");
  await page.getByLabel("Authentication Type").selectOption("oauth");
  await page.getByLabel("OAuth application").selectOption({ label: `Generic OAuth 2.0 · ${client.clientId}` });
  // the scope the application was saved with (a generic provider has no default scope to fall back on)
  await expect(page.getByLabel("Scope")).toHaveValue(new RegExp(`${SCOPE.replace(/\./g, "\\.")}$`));
  await expect(page.getByLabel("Authorize URL")).toHaveValue(rig.auth.authorizeUrl);
  // the application's own fields are changed on the application, not here
  await expect(page.getByLabel("Access Token URL")).toBeDisabled();
  await expect(page.getByRole("link", { name: "the application's page" })).toBeVisible();
  await page.getByLabel("Connection Protocol").selectOption("pops");
  await expect(page.getByLabel("Authorize URL")).toHaveValue(rig.auth.authorizeUrl);
  await expect(page.getByLabel("Access Token URL")).toHaveValue(rig.auth.tokenUrl);
  await expect(page.getByText(/Azure|outlook\.office\.com scopes/)).toHaveCount(0);
});

test("an application's own fields are changed on its page, and a changed endpoint needs the secret typed again", async ({
  adminPage: page,
  rig,
}) => {
  const alice = rig.auth.users.alice;
  const client = rig.auth.clients.secretPost;
  await fillGeneric(page, rig, alice.username);
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), alice);
  await expect(page.getByRole("status").filter({ hasText: "Signed in" })).toBeVisible();

  await page.goto("/oauth");
  await page
    .getByRole("region", { name: `Application Generic OAuth 2.0 · ${client.clientId}` })
    .getByRole("link", { name: "Edit application" })
    .click();
  await expect(page.getByRole("heading", { name: "OAuth application" })).toBeVisible();
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveAttribute(
    "placeholder",
    "(stored — leave blank to keep)",
  );
  await page.getByLabel("Access Token URL").fill(`${rig.auth.tokenUrl}/moved`);
  // the form says it before the server does
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveAttribute(
    "placeholder",
    "the Access Token URL changed: enter it again",
  );
  await page.getByRole("button", { name: "Save application" }).click();
  await expect(page.locator("#app-clientSecret-error")).toHaveText(
    "The Access Token URL changed: enter the client secret again",
  );
  await page.reload();
  await expect(page.getByLabel("Access Token URL")).toHaveValue(rig.auth.tokenUrl);
});
