// Hostile mail in the console's preview, in Chromium against the rig's Dovecot: a link opens outside (a new
// page without opener; the console and the frame stay where they are), bidi names show their real order,
// unparseable mail says what it cannot show; and the mailbox page items that go with it: the heading and
// password placeholder after the first Save, the transcript header and width, the Viewer's read-only notice.
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { deliver, ensureFolder } from "../rig/mailbox";
import type { RigInfo } from "../rig/info";
import { bidiAndLinkMail, manyAttachmentsMail } from "../support/hostile-mail";
import { expect, test } from "./fixtures";

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function fillPasswordMailbox(page: Page, rig: RigInfo, opts: { name: string; folder: string }) {
  await page.goto("/incoming/new");
  await expect(page.getByRole("heading", { name: "Add an incoming mailbox" })).toBeVisible();
  await page.getByLabel("Mailbox name").fill(opts.name);
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Authentication Type").selectOption("password");
  await page.getByLabel("Server Name / IP Address").fill(rig.imap.host);
  await page.getByLabel("Port", { exact: true }).fill(String(rig.imap.tlsPort));
  await page.getByLabel("Username").fill(rig.auth.users.alice.username);
  await page.getByLabel("Email Address(es)").fill(rig.auth.users.alice.username);
  await page.getByLabel("Password", { exact: true }).fill(rig.auth.users.alice.password);
  await page.getByLabel("Folder").fill(opts.folder);
  await page.getByLabel("Enable Email Debug").check();
}

test("a hostile mail's link opens outside, its bidi names show the real extension, and the mailbox page follows the Save", async ({
  adminPage: page,
  rig,
  console: info,
}) => {
  const folder = unique("Preview");
  const name = `Preview ${folder}`;
  const target = `${info.url}/api/health?from=mail-link`;
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  await deliver(rig, rig.auth.users.alice.username, bidiAndLinkMail("Invoice", target), folder);

  await fillPasswordMailbox(page, rig, { name, folder });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Connected to ${rig.imap.host}` })).toBeVisible({
    timeout: 30_000,
  });
  // after the first Save the page is the mailbox's own
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Add an incoming mailbox" })).toHaveCount(0);
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("placeholder", "(unchanged)");
  await expect(page.getByRole("link", { name: "Fetch history" })).toBeVisible();

  await page.getByRole("button", { name: "Fetch a sample mail" }).click();
  const sample = page.getByRole("region", { name: "Sample mail" });
  await expect(sample.getByRole("heading", { level: 2 })).toHaveText("Invoice ⟨U+202E⟩fdp.exe", { timeout: 30_000 });
  await expect(sample.getByRole("list", { name: "Attachments" })).toContainText("invoice⟨U+202E⟩fdp.exe");
  expect(await sample.getByRole("list", { name: "Attachments" }).textContent()).not.toContain("\u202E");

  const frame = page.frameLocator('iframe[title="HTML preview"]');
  const link = frame.getByRole("link", { name: "https://www.paypal.com/" });
  await expect(link).toHaveAttribute("title", target);
  await expect(link).toHaveAttribute("data-target", new URL(target).host);
  // the real target is shown next to the link's text, which names another site
  await expect(frame.locator(".link-target")).toHaveText(`⟨${new URL(target).host}⟩`);
  const consoleUrl = page.url();
  const popupOpened = page.waitForEvent("popup");
  await link.click();
  const popup = await popupOpened;
  await popup.waitForLoadState();
  expect(popup.url()).toBe(target);
  expect(await popup.evaluate(() => window.opener)).toBeNull();
  expect(page.url()).toBe(consoleUrl);
  const previewFrame = await (await page.locator('iframe[title="HTML preview"]').elementHandle())!.contentFrame();
  expect(previewFrame?.url()).toBe("about:srcdoc");
  await expect(link).toBeVisible();
  await popup.close();

  // the dashboard no longer shows first-run text once a mailbox exists
  await page.goto("/");
  await expect(page.getByText("Getting started")).toHaveCount(0);

  // the transcript: headed, and kept inside the window however long its lines
  await page.goto("/activity");
  const row = page.getByRole("row").filter({ hasText: name }).filter({ hasText: "Sample fetch" });
  await row.getByRole("link", { name: "View transcript" }).click();
  const pre = page.locator("pre.transcript");
  await expect(pre).toContainText("# Mailbox:  " + name);
  await expect(pre).toContainText(`# Server:   ${rig.imap.host}:${rig.imap.tlsPort} (IMAPS, folder ${folder})`);
  await expect(pre).toContainText(`# Run by:   `);
  await expect(pre).toContainText("S: * 1 FETCH");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download" }).click();
  const file = readFileSync(await (await downloading).path(), "utf8");
  expect(file.split("\n")[0]).toBe("# Mailbridge debug transcript: Sample fetch");
  expect(file).toContain(`# Mailbox:  ${name}`);
  expect(file).not.toContain(rig.auth.users.alice.password);
});

test("mail the preview cannot read whole says so in plain words, with the headers and the attachment count", async ({
  adminPage: page,
  rig,
}) => {
  const folder = unique("Flood");
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  await deliver(rig, rig.auth.users.alice.username, manyAttachmentsMail("Five thousand attachments", 5000), folder);
  await fillPasswordMailbox(page, rig, { name: `Flood ${folder}`, folder });
  await page.getByRole("button", { name: "Fetch a sample mail" }).click();
  const sample = page.getByRole("region", { name: "Sample mail" });
  await expect(sample.getByRole("heading", { level: 2 })).toHaveText("Five thousand attachments", { timeout: 30_000 });
  const notice = sample.getByRole("note", { name: "What the preview cannot show" });
  await expect(notice).toContainText("more parts than the preview reads");
  await expect(notice).toContainText("The MIME parser said:");
  await expect(sample.getByRole("heading", { name: "Attachments (5000)" })).toBeVisible();
  await expect(sample.getByText("The body before the flood")).toBeVisible();
});

test("a Viewer sees a mailbox read-only: a notice and disabled inputs", async ({
  adminPage: admin,
  viewerPage: page,
  rig,
}) => {
  const folder = unique("Viewer");
  const name = `Viewed ${folder}`;
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  await fillPasswordMailbox(admin, rig, { name, folder });
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByRole("heading", { level: 1, name })).toBeVisible({ timeout: 30_000 });
  const url = new URL(admin.url()).pathname;

  await page.goto(url);
  await expect(page.getByRole("note", { name: "Read-only" })).toContainText("signed in as a Viewer");
  await expect(page.getByLabel("Mailbox name")).toBeDisabled();
  await expect(page.getByLabel("Server Name / IP Address")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
});

test("the dashboard counts mailboxes from the same statuses it lists", async ({ adminPage: page, rig }) => {
  const folder = unique("Failing");
  const name = `Failing ${folder}`;
  await ensureFolder(rig, rig.auth.users.alice.username, folder);
  await fillPasswordMailbox(page, rig, { name, folder });
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Could not connect" })).toBeVisible({ timeout: 30_000 });

  await page.goto("/");
  const summary = page.getByRole("region", { name: "Incoming mailboxes" });
  await expect(summary.getByRole("listitem").filter({ hasText: name })).toContainText("Failing");
  const line = (await summary.locator("p").first().textContent()) ?? "";
  const match =
    /(\d+) mailbox(?:es)?: (\d+) connected(?:, (\d+) needs? attention)?(?:, (\d+) not verified or disabled)?;/.exec(
      line,
    );
  expect(match, line).not.toBeNull();
  const [total, connected, attention = 0, rest = 0] = match!.slice(1).map((n) => Number(n ?? 0));
  expect(attention).toBe(await summary.getByRole("listitem").count());
  expect(connected + attention + rest).toBe(total);
  await expect(page.getByText("Getting started")).toHaveCount(0);
});
