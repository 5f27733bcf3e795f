// Outgoing mail settings in Chromium against the rig: SMTP with the Google preset pointed at the rig's Postfix,
// consent in the popup, "Connected" only after a real sign-in, a test mail that reaches the sink with its queue
// id shown, and a wrong port explained by the failing step.
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { waitForSentMessage } from "../rig/mailbox";
import { setSmtpAuthEnabled } from "../rig/microsoft/control";
import type { RigInfo } from "../rig/info";
import { expect, test } from "./fixtures";
import { consentInPopup, signInAndConsent } from "./rig-consent";

async function fillGoogleSmtp(page: Page, rig: RigInfo, port: number) {
  await page.goto("/outgoing");
  const fresh = (await page.getByRole("region", { name: "Outgoing status" }).count()) === 0;
  await page.getByLabel("Connection Protocol").selectOption("smtp");
  await page.getByLabel("Authentication Type").selectOption("oauth");
  await page.getByLabel("Provider").selectOption({ label: "Google / Gmail" });
  if (fresh) {
    // The preset filled Google's server and scope; point the server at the rig's Postfix.
    await expect(page.getByLabel("Server Name / IP Address", { exact: true })).toHaveValue("smtp.gmail.com");
    await expect(page.getByLabel("Port", { exact: true })).toHaveValue("587");
    await expect(page.getByLabel("Scope")).toHaveValue("https://mail.google.com/");
  }
  await page.getByLabel("Server Name / IP Address", { exact: true }).fill(rig.smtp.host);
  await page.getByLabel("Port", { exact: true }).fill(String(port));
  await page.getByLabel("Username").first().fill(rig.auth.users.alice.username);
  await page.getByLabel("Sender Name").fill("Rig Helpdesk");
  await page.getByLabel("Reply-To Address").fill("helpdesk@rig.test");
  await page.getByLabel("Max Email Size (MB)").fill("10");
  const client = rig.auth.clients.google;
  await page.getByLabel("Client ID").fill(client.clientId);
  await page.getByLabel("Client Secret", { exact: true }).fill(client.clientSecret ?? "");
  await page.getByLabel("Authorize URL").fill(rig.auth.googleAuthorizeUrl);
  await page.getByLabel("Access Token URL").fill(rig.auth.googleTokenUrl);
}

/** Saves; answers the consent popup when one opens (a grant already given for this application is reused). */
async function saveWithOptionalConsent(page: Page, rig: RigInfo) {
  const popupPromise = page.waitForEvent("popup", { timeout: 5_000 }).catch(() => null);
  await page.getByRole("button", { name: "Save" }).click();
  const popup = await popupPromise;
  if (popup) {
    const closed = popup.waitForEvent("close", { timeout: 30_000 });
    await signInAndConsent(popup, rig.auth.users.alice);
    await closed;
  }
}

test("an admin sets up SMTP with the Google preset, consents in the popup and sends a test mail", async ({
  adminPage: page,
  rig,
}) => {
  await fillGoogleSmtp(page, rig, rig.smtp.submissionPort);
  await page.getByLabel("Enable Email Debug").check();
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), rig.auth.users.alice);
  await expect(
    page.getByRole("status").filter({
      hasText: `Connected to ${rig.smtp.host}:${rig.smtp.submissionPort} as ${rig.auth.users.alice.username}`,
    }),
  ).toBeVisible({ timeout: 30_000 });

  const to = `e2e-${randomBytes(4).toString("hex")}@example.org`;
  const test = page.getByRole("form", { name: "Send test mail" });
  await test.getByLabel("Send a test mail to").fill(to);
  await test.getByRole("button", { name: "Send test mail" }).click();
  const success = test.getByRole("status").filter({ hasText: `Sent to ${to}` });
  await expect(success).toBeVisible({ timeout: 30_000 });
  const sent = await waitForSentMessage(rig, (m) => m.envelope.to.includes(to) && /\r?\n\r?\n/.test(m.raw));
  const queueId = /queue id (\w+)/.exec((await success.textContent()) ?? "")?.[1];
  expect(queueId).toBeTruthy();
  expect(sent.raw).toMatch(/^From: Rig Helpdesk <alice@rig\.test>$/m);
  await expect(test.getByRole("list", { name: "Connection steps" })).toContainText("send — ok");
  // the outbox lists it as sent with the same queue id
  await expect(page.getByRole("table", { name: "Outbox" }).getByRole("row").filter({ hasText: to })).toContainText(
    queueId!,
  );
  await expect(page.getByRole("region", { name: "Outgoing status" })).toContainText("Active");

  // Enable Email Debug kept the SMTP transcript on Activity, without the token
  await page.goto("/activity");
  await page
    .getByRole("row")
    .filter({ hasText: "Outgoing mail" })
    .filter({ hasText: "Test mail" })
    .first()
    .getByRole("link", { name: "View transcript" })
    .click();
  await expect(page.locator("pre.transcript")).toContainText("AUTH XOAUTH2 [redacted]");
  await expect(page.locator("pre.transcript")).toContainText("queued as");
  await expect(page.locator("pre.transcript")).not.toContainText(/eyJ[\w-]{10,}\./);
});

test("a wrong port shows the failing step and a hint", async ({ adminPage: page, rig }) => {
  await fillGoogleSmtp(page, rig, 1);
  await saveWithOptionalConsent(page, rig);
  await expect(page.getByRole("alert").filter({ hasText: "Could not connect" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("list", { name: "Connection steps" }).locator("li.step-fail")).toContainText("connect");
  await expect(page.getByRole("note")).toContainText("Nothing answers on that port");
  // Every console page says that sending fails, until a send works again
  await page.goto("/");
  await expect(page.getByRole("alert", { name: "Sending mail fails" })).toContainText("ECONNREFUSED");
});

test("Exchange refuses the sign-in: the hint is shown, and the contact is told through the alternate server by the console's outbox worker", async ({
  adminPage: page,
  rig,
}) => {
  // Primary: the Exchange-like SMTP with SMTP AUTH off for the mailbox (535 5.7.139); alternate: Postfix.
  await setSmtpAuthEnabled(rig, rig.auth.users.alice.username, false);
  try {
    await exchangeRefusesSignIn(page, rig);
  } finally {
    await setSmtpAuthEnabled(rig, rig.auth.users.alice.username, true);
  }
});

async function exchangeRefusesSignIn(page: Page, rig: RigInfo) {
  await fillGoogleSmtp(page, rig, rig.exchange.smtpPort);
  await page.getByLabel("Server Name / IP Address", { exact: true }).fill(rig.exchange.host);
  await page.getByLabel("Alternate Server Name / IP Address").fill(`localhost:${rig.smtp.submissionPort}`);
  const contact = `ops-${randomBytes(4).toString("hex")}@example.org`;
  await page.getByLabel("Contact Information").fill(contact);
  await saveWithOptionalConsent(page, rig);
  await expect(page.getByRole("alert").filter({ hasText: "Could not connect" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("note").filter({ hasText: "Authenticated SMTP is switched off" })).toBeVisible();
  await expect(page.getByText("535 5.7.139").first()).toBeVisible();

  const testMail = page.getByRole("form", { name: "Send test mail" });
  await testMail.getByLabel("Send a test mail to").fill("customer@example.org");
  await testMail.getByRole("button", { name: "Send test mail" }).click();
  await expect(testMail.getByRole("alert").filter({ hasText: 'failed at the step "authenticate"' })).toBeVisible({
    timeout: 30_000,
  });
  // The notice is queued once and sent in the background, through the alternate server.
  const notice = await waitForSentMessage(
    rig,
    (m) => m.envelope.to.includes(contact) && /\r?\n\r?\n/.test(m.raw),
    30_000,
  );
  expect(notice.subject).toBe("Mailbridge cannot send mail");
  await page.reload();
  const row = page.getByRole("table", { name: "Outbox" }).getByRole("row").filter({ hasText: contact });
  await expect(row).toContainText(`through localhost:${rig.smtp.submissionPort}`);
  await expect(page.getByRole("region", { name: "Outgoing status" })).toContainText(`${contact} was told`);
}

test("a password against smtp.office365.com warns about the December 2026 switch-off and offers the Microsoft 365 preset", async ({
  adminPage: page,
}) => {
  await page.goto("/outgoing");
  await page.getByLabel("Connection Protocol").selectOption("smtp");
  await page.getByLabel("Server Name / IP Address", { exact: true }).fill("smtp.office365.com");
  await page.getByLabel("Authentication Type").selectOption("password");
  const warning = page.getByRole("alert").filter({ hasText: "end of December 2026" });
  await expect(warning).toBeVisible();
  await warning.getByRole("button", { name: "Use the Microsoft 365 preset (OAuth)" }).click();
  await expect(page.getByLabel("Authentication Type")).toHaveValue("oauth");
  await expect(page.getByLabel("Provider")).toHaveValue("microsoft");
  await expect(page.getByLabel("Scope")).toHaveValue("https://outlook.office.com/SMTP.Send offline_access");
  await expect(page.getByLabel("Port", { exact: true })).toHaveValue("587");
  await expect(warning).toHaveCount(0);
});

test("a viewer sees the outgoing settings read-only, with a notice and disabled inputs", async ({
  viewerPage: page,
}) => {
  await page.goto("/outgoing");
  await expect(page.getByRole("note", { name: "Read-only" })).toContainText("You are signed in as a Viewer");
  await expect(page.getByLabel("Server Name / IP Address", { exact: true })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
});
