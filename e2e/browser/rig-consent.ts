// Signing in and answering consent on the rig's authorization-server pages, in a popup or a full page.
import type { Page } from "@playwright/test";
import type { RigUser } from "../rig/info";

/**
 * Signs in and answers consent. Either page may be skipped: the provider remembers a signed-in user (a
 * second consent in the same browser) and an approval already given, and the popup may then close at once.
 */
export async function signInAndConsent(
  page: Page,
  user: RigUser,
  decision: "Approve" | "Deny" = "Approve",
): Promise<void> {
  const email = page.getByLabel("Email");
  const answer = page.getByRole("button", { name: decision });
  // The losers of each race reject later (page closed): settle them quietly.
  const settle = <T>(p: Promise<T>) => p.catch(() => "closed" as const);
  const gone = settle(page.waitForEvent("close").then(() => "closed" as const));
  const first = await Promise.race([
    settle(email.waitFor().then(() => "login" as const)),
    settle(answer.waitFor().then(() => "consent" as const)),
    settle(
      page
        .waitForURL((url) => url.pathname.startsWith("/oauth") || url.pathname.startsWith("/incoming"))
        .then(() => "back" as const),
    ),
    gone,
  ]);
  if (first === "login") {
    await email.fill(user.username);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  if (first === "login" || first === "consent") {
    const next = await Promise.race([settle(answer.waitFor({ timeout: 5_000 }).then(() => "consent" as const)), gone]);
    if (next === "consent") await answer.click();
  }
}

/** Clicks `trigger`, answers the popup it opens and waits for the popup to close itself. */
export async function consentInPopup(
  page: Page,
  trigger: () => Promise<void>,
  user: RigUser,
  decision: "Approve" | "Deny" = "Approve",
): Promise<void> {
  const popupPromise = page.waitForEvent("popup");
  await trigger();
  const popup = await popupPromise;
  // Listen before answering: the popup may close as soon as the last click lands.
  const closed = popup.waitForEvent("close", { timeout: 30_000 });
  await signInAndConsent(popup, user, decision);
  await closed;
}
