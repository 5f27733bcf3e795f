import path from "node:path";
import { request as playwrightRequest } from "@playwright/test";
import { actionRequest, builtServerActions, declaredServerActions, routeHandlers } from "./app-surface";
import { consolePort, startConsole } from "./console-server";
import { expect, signIn, test } from "./fixtures";

// Reachable without a session by design; each is checked for what it must refuse instead.
const PUBLIC_ROUTES = new Set(["/api/health", "/api/auth/x/y", "/api/oauth/callback"]);
const PUBLIC_ACTIONS = new Set(["app/signin/actions.ts#signInAction", "app/setup/actions.ts#createFirstAdminAction"]);

test("first run: create the first administrator, then the setup form is gone; sign out", async ({ browser }) => {
  const fresh = await startConsole({
    port: consolePort() + 1,
    dataDir: path.resolve("test-results/console-first-run"),
  });
  try {
    const context = await browser.newContext({ baseURL: fresh.url });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page).toHaveURL(/\/setup$/);
    await expect(page.getByRole("heading", { name: "Create the first administrator" })).toBeVisible();
    await page.getByLabel("Email address").fill("first@mailbridge.test");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("short");
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(page.getByText("Use at least 12 characters")).toBeVisible();
    await page.getByLabel("Name").fill("First Admin");
    await page.getByLabel("Password", { exact: true }).fill("a-long-enough-password");
    await page.getByLabel("Confirm password").fill("a-long-enough-password");
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByText("Welcome, First Admin")).toBeVisible();

    // The one-time form is gone for everyone now, and its action refuses a second administrator.
    const anonymous = await playwrightRequest.newContext({ baseURL: fresh.url });
    const setup = await anonymous.get("/setup", { maxRedirects: 0 });
    expect(setup.status()).toBe(307);
    expect(setup.headers()["location"]).toMatch(/\/signin$/);
    await anonymous.dispose();

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin$/);
    await page.goto("/users");
    await expect(page).toHaveURL(/\/signin$/);
    await context.close();
  } finally {
    await fresh.stop();
  }
});

test("a wrong password says nothing about whether the account exists", async ({ page, console: info }) => {
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(info.admin.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".alert-error")).toHaveText("Wrong email address or password.");
  await page.getByLabel("Email address").fill("nobody@mailbridge.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".alert-error")).toHaveText("Wrong email address or password.");
  await expect(page).toHaveURL(/\/signin$/);
});

test("sign-in is rate limited per account", async ({ page, adminPage }) => {
  const email = `limited-${Date.now()}@mailbridge.test`;
  await adminPage.goto("/users");
  await adminPage.getByLabel("Email address").fill(email);
  await adminPage.getByLabel("Initial password").fill("correct-horse-battery");
  await adminPage.getByRole("button", { name: "Add user" }).click();
  await expect(adminPage.getByText(`Added ${email}.`)).toBeVisible();
  await page.goto("/signin");
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(`wrong-${i}`);
    // the message from the previous attempt is still shown: wait for this attempt's answer
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/signin"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await answered;
    await expect(page.locator(".alert-error")).toHaveText("Wrong email address or password.");
  }
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill("correct-horse-battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".alert-error")).toHaveText(/Too many failed sign-ins/);
});

test("a viewer cannot change a setting: no form, and the server refuses the action", async ({
  viewerPage,
  adminPage,
}) => {
  await viewerPage.goto("/users");
  await expect(viewerPage.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(viewerPage.getByRole("form", { name: "Add user" })).toHaveCount(0);
  const addUser = builtServerActions().find((a) => a.name === "addUserAction")!;
  const { url, options } = actionRequest(addUser, [
    { name: "", email: "sneaky@mailbridge.test", password: "viewer-made-this-1", role: "admin" },
  ]);
  const response = await viewerPage.request.fetch(url, options);
  expect(await response.text()).toContain("Your role does not allow this change.");
  await adminPage.goto("/users");
  await expect(adminPage.getByRole("cell", { name: "viewer@mailbridge.test" })).toBeVisible();
  await expect(adminPage.getByText("sneaky@mailbridge.test")).toHaveCount(0);
});

test("disabling a user ends their session", async ({ adminPage, browser, console: info }) => {
  const email = `temp-${Date.now()}@mailbridge.test`;
  await adminPage.goto("/users");
  await adminPage.getByLabel("Email address").fill(email);
  await adminPage.getByLabel("Initial password").fill("temporary-password-1");
  await adminPage.getByRole("button", { name: "Add user" }).click();
  await expect(adminPage.getByRole("cell", { name: email })).toBeVisible();
  const context = await browser.newContext({ baseURL: info.url });
  const page = await context.newPage();
  await signIn(page, { email, password: "temporary-password-1" });
  const row = adminPage.getByRole("row").filter({ hasText: email });
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByRole("status")).toHaveText("Disabled.");
  await page.goto("/users");
  await expect(page).toHaveURL(/\/signin$/);
  await context.close();
});

test("every route handler and server action refuses an unauthenticated request", async ({ console: info }) => {
  const anonymous = await playwrightRequest.newContext({ baseURL: info.url });
  const routes = routeHandlers();
  expect(routes.map((r) => r.url)).toContain("/api/health");
  for (const route of routes) {
    for (const method of route.methods) {
      const response = await anonymous.fetch(route.url, {
        method,
        maxRedirects: 0,
        data: method === "GET" ? undefined : "{}",
      });
      if (PUBLIC_ROUTES.has(route.url)) {
        expect(response.status(), `${method} ${route.url}`).toBeLessThan(500);
        continue;
      }
      expect([401, 403], `${method} ${route.url} (${route.file})`).toContain(response.status());
    }
  }
  // the callback is public but must not accept a request without a valid state
  const callback = await anonymous.get("/api/oauth/callback?code=abc&state=forged", { maxRedirects: 0 });
  expect(await callback.text()).not.toMatch(/"ok"\s*:\s*true|success/i);

  const built = builtServerActions();
  const declared = declaredServerActions();
  for (const d of declared) {
    expect(
      built.some((b) => b.file === d.file && b.name === d.name),
      `${d.file}#${d.name} is in the build`,
    ).toBe(true);
  }
  for (const action of built) {
    const key = `${action.file}#${action.name}`;
    const { url, options } = actionRequest(action, [{}]);
    const response = await anonymous.fetch(url, options);
    if (PUBLIC_ACTIONS.has(key)) {
      expect(response.headers()["set-cookie"] ?? "", key).not.toContain("authjs.session-token");
      continue;
    }
    expect(response.status(), key).toBe(401);
  }
  expect(await (await anonymous.get("/api/health")).json()).toMatchObject({ status: "ok", database: "reachable" });
  await anonymous.dispose();
});

test("every navigation link opens a page, which may not be framed", async ({ adminPage }) => {
  const links = adminPage.getByRole("navigation", { name: "Main" }).getByRole("link");
  const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href")!));
  expect(hrefs.length).toBeGreaterThanOrEqual(7);
  for (const href of hrefs) {
    const response = await adminPage.goto(href);
    expect(response?.status(), href).toBe(200);
    expect(response?.headers()["x-frame-options"], href).toBe("DENY");
    await expect(adminPage.locator("h1")).toBeVisible();
  }
});
