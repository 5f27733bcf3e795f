import { test as base, expect, type Browser, type Page } from "@playwright/test";
import { rigInfo, type RigInfo } from "../rig/info";
import { consoleInfo, type ConsoleInfo, type Credentials } from "./console-info";

export async function signIn(page: Page, who: Credentials): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}

async function withSignedInPage(browser: Browser, url: string, who: Credentials, use: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await signIn(page, who);
  await use(page);
  await context.close();
}

type Fixtures = { adminPage: Page; viewerPage: Page; rig: RigInfo; console: ConsoleInfo };

export const test = base.extend<Fixtures>({
  console: async ({}, use) => use(consoleInfo()),
  rig: async ({}, use) => use(rigInfo()),
  adminPage: async ({ browser, console: info }, use) => withSignedInPage(browser, info.url, info.admin, use),
  viewerPage: async ({ browser, console: info }, use) => withSignedInPage(browser, info.url, info.viewer, use),
});

export { expect };
