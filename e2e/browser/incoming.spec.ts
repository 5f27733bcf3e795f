// Incoming mail settings in Chromium against the rig: an IMAPS mailbox with the Microsoft 365 preset pointed at
// the rig's Microsoft-style endpoints, consent in the popup, the success message only after a real connection,
// a sample mail, and a wrong server name explained by its step and hint.
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { deliver, ensureFolder, listMessages } from "../rig/mailbox";
import type { RigInfo } from "../rig/info";
import { expect, test } from "./fixtures";
import { consentInPopup, signInAndConsent } from "./rig-consent";

const TENANT = "organizations";

function mail(subject: string): string {
  return [
    "From: Customer <customer@example.org>",
    "To: support@rig.test",
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(6).toString("hex")}@example.org>`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

async function fillMailbox(page: Page, rig: RigInfo, opts: { name: string; host: string; folder: string }) {
  await page.goto("/incoming/new");
  await page.getByLabel("Mailbox name").fill(opts.name);
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Authentication Type").selectOption("oauth");
  await page.getByLabel("Provider").selectOption({ label: "Microsoft 365 (work/school)" });
  // The preset filled the Microsoft server; point it at the rig's Exchange-like IMAPS instead.
  await expect(page.getByLabel("Server Name / IP Address")).toHaveValue("outlook.office365.com");
  await expect(page.getByLabel("Port", { exact: true })).toHaveValue("993");
  await page.getByLabel("Server Name / IP Address").fill(opts.host);
  await page.getByLabel("Port", { exact: true }).fill(String(rig.exchange.imapTlsPort));
  await page.getByLabel("Username").fill(rig.auth.users.alice.username);
  await page.getByLabel("Email Address(es)").fill(rig.auth.users.alice.username);
  await page.getByLabel("Folder").fill(opts.folder);
  await page.getByLabel("Fetch interval (minutes)").fill("5");
  const client = rig.auth.clients.secretPost;
  await page.getByLabel("Client ID").fill(client.clientId);
  await page.getByLabel("Client Secret", { exact: true }).fill(client.clientSecret ?? "");
  await page.getByLabel("Tenant").fill(TENANT);
  await page.getByLabel("Authorize URL").fill(`${rig.auth.msBase}/${TENANT}/oauth2/v2.0/authorize`);
  await page.getByLabel("Access Token URL").fill(`${rig.auth.msBase}/${TENANT}/oauth2/v2.0/token`);
}

async function saveAndConsent(page: Page, rig: RigInfo) {
  await consentInPopup(page, () => page.getByRole("button", { name: "Save" }).click(), rig.auth.users.alice);
}

test("an admin connects an IMAPS mailbox with the Microsoft 365 preset and fetches a sample mail", async ({
  adminPage: page,
  rig,
}) => {
  const folder = `E2E-${randomBytes(3).toString("hex")}`;
  const oldest = `Oldest mail ${folder}`;
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  await deliver(rig, rig.auth.users.alice.username, mail(oldest), folder);
  await deliver(rig, rig.auth.users.alice.username, mail(`Newer mail ${folder}`), folder);

  await fillMailbox(page, rig, { name: `Support ${folder}`, host: rig.exchange.host, folder });
  await page.getByLabel("Enable Email Debug").check();
  await saveAndConsent(page, rig);
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: `Connected to ${rig.exchange.host} as ${rig.auth.users.alice.username}` }),
  ).toBeVisible({ timeout: 30_000 });

  await page.getByRole("button", { name: "Fetch a sample mail" }).click();
  const sample = page.getByRole("region", { name: "Sample mail" });
  await expect(sample.getByRole("heading", { name: oldest })).toBeVisible({ timeout: 30_000 });
  await expect(sample.getByText("Body of Oldest mail")).toBeVisible();
  // the sample fetch changed nothing on the server
  const onServer = await listMessages(rig, rig.auth.users.alice.username, folder);
  expect(onServer).toHaveLength(2);
  for (const message of onServer) expect(message.flags).not.toContain("\\Seen");
  const editUrl = page.url();

  await page.goto("/incoming");
  await expect(page.getByRole("link", { name: `Support ${folder}` })).toBeVisible();
  await expect(page.getByText("Connected").first()).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("region", { name: "Incoming mailboxes" })).toContainText("connected");

  // the debug log of the sample fetch: readable, downloadable, without any token
  await page.goto("/activity");
  const row = page
    .getByRole("row")
    .filter({ hasText: `Support ${folder}` })
    .filter({ hasText: "Sample fetch" });
  await row.getByRole("link", { name: "View transcript" }).click();
  await expect(page.locator("pre.transcript")).toContainText("AUTHENTICATE XOAUTH2 [redacted]");
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download" }).click();
  const file = await (await downloading).path();
  const transcript = readFileSync(file, "utf8");
  expect(transcript).toContain(folder);
  expect(transcript).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);

  // deleting the mailbox removes it from the list
  await page.goto(editUrl);
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete" }).click();
  await page.waitForURL(/\/incoming$/);
  await expect(page.getByRole("link", { name: `Support ${folder}` })).toHaveCount(0);
});

test("a wrong server name shows the failing step and a hint", async ({ adminPage: page, rig }) => {
  await fillMailbox(page, rig, {
    name: `Broken ${randomBytes(3).toString("hex")}`,
    host: "no-such-server.invalid",
    folder: "INBOX",
  });
  await saveAndConsent(page, rig);
  await expect(page.getByRole("alert").filter({ hasText: "Could not connect" })).toBeVisible({ timeout: 30_000 });
  const steps = page.getByRole("list", { name: "Connection steps" });
  await expect(steps.locator("li.step-fail")).toContainText("resolve");
  await expect(page.getByRole("note")).toContainText("Server name not found");
});

test("with popups blocked, consent runs as a redirect and the mailbox page connects when it comes back", async ({
  adminPage: page,
  rig,
}) => {
  await page.addInitScript(() => {
    window.open = () => null;
  });
  const name = `Redirected ${randomBytes(3).toString("hex")}`;
  await fillMailbox(page, rig, { name, host: rig.exchange.host, folder: "INBOX" });
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL((url) => url.origin === new URL(rig.auth.issuer).origin);
  await signInAndConsent(page, rig.auth.users.alice);
  await page.waitForURL(/\/incoming\/[a-z0-9]+$/);
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: `Connected to ${rig.exchange.host} as ${rig.auth.users.alice.username}` }),
  ).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel("Mailbox name")).toHaveValue(name);
});

test("a viewer sees incoming mail read-only", async ({ viewerPage: page }) => {
  await page.goto("/incoming");
  await expect(page.getByRole("heading", { name: "Incoming mail" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add a mailbox" })).toHaveCount(0);
  await page.goto("/activity");
  await expect(page.getByRole("heading", { name: /Activity/ })).toBeVisible();
});
