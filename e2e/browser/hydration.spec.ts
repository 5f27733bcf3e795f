// Before React has attached the page's handlers, a click on a button does nothing and a form submitted natively
// reloads the page with what was typed lost. The console's controls stay disabled until the page has hydrated:
// here the page's scripts are held back to show it, then let through.
import { expect, test } from "./fixtures";

test("the mailbox form's controls are disabled until its script runs, then work", async ({ adminPage: page }) => {
  let release!: () => void;
  const scriptsHeld = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/_next/static/chunks/**", async (route) => {
    await scriptsHeld;
    await route.continue();
  });
  await page.goto("/incoming/new", { waitUntil: "commit" });
  const fetchSample = page.getByRole("button", { name: "Fetch a sample mail" });
  const save = page.getByRole("button", { name: "Save" });
  const name = page.getByLabel("Mailbox name");
  await expect(fetchSample).toBeVisible();
  await expect(fetchSample).toBeDisabled();
  await expect(save).toBeDisabled();
  await expect(name).toBeDisabled();

  release();
  await expect(fetchSample).toBeEnabled();
  await expect(save).toBeEnabled();
  await name.fill("Hydrated");
  // The click reaches the handler: the form's own check answers at the fields, with no page load.
  await fetchSample.click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await expect(name).toHaveValue("Hydrated");
});
