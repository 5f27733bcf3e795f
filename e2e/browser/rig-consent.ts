// Signing in and answering consent on the rig's authorization-server pages, in a popup or a full page.
import type { Page } from "@playwright/test";
import type { RigUser } from "../rig/info";

export async function signInAndConsent(page: Page, user: RigUser, decision: "Approve" | "Deny" = "Approve"): Promise<void> {
  await page.getByLabel("Email").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The consent page is skipped when this user already approved these scopes for the client.
  const button = page.getByRole("button", { name: decision });
  await button.waitFor({ timeout: 5_000 }).then(() => button.click(), () => undefined);
}

/** Clicks `trigger`, answers the popup it opens and waits for the popup to close itself. */
export async function consentInPopup(page: Page, trigger: () => Promise<void>, user: RigUser, decision: "Approve" | "Deny" = "Approve"): Promise<void> {
  const popupPromise = page.waitForEvent("popup");
  await trigger();
  const popup = await popupPromise;
  // Listen before answering: the popup may close as soon as the last click lands.
  const closed = popup.waitForEvent("close", { timeout: 30_000 });
  await signInAndConsent(popup, user, decision);
  await closed;
}
