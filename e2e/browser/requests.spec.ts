// Requests in Chromium against the rig's Dovecot: an admin saves a password mailbox, the first "Fetch now"
// imports nothing old, a mail saved afterwards appears in the Requests list; a mail carrying script and
// onerror= payloads renders inert in its sandboxed frame (no flag set, no request leaves the console).
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { deliver, ensureFolder } from "../rig/mailbox";
import type { RigInfo } from "../rig/info";
import { expect, test } from "./fixtures";

function mail(subject: string, html?: string): string {
  return [
    "From: Customer <customer@example.org>",
    "To: support@rig.test",
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(6).toString("hex")}@example.org>`,
    `Content-Type: ${html ? "text/html" : "text/plain"}; charset=utf-8`,
    "",
    html ?? `Body of ${subject}`,
    "",
  ].join("\r\n");
}

async function addMailbox(page: Page, rig: RigInfo, folder: string): Promise<void> {
  const alice = rig.auth.users.alice;
  await page.goto("/incoming/new");
  await page.getByLabel("Mailbox name").fill(`Desk ${folder}`);
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Authentication Type").selectOption("password");
  await page.getByLabel("Server Name / IP Address").fill(rig.imap.host);
  await page.getByLabel("Port").fill(String(rig.imap.tlsPort));
  await page.getByLabel("Username").fill(alice.username);
  await page.getByLabel("Email Address(es)").fill(alice.username);
  await page.getByLabel("Password", { exact: true }).fill(alice.password);
  await page.getByLabel("Folder").fill(folder);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connected to" })).toBeVisible({ timeout: 30_000 });
}

async function fetchNow(page: Page): Promise<string> {
  await page.reload(); // no outcome of an earlier click on the page
  await page.getByRole("button", { name: "Fetch now" }).click();
  const status = page.getByRole("region", { name: "Fetching" }).getByRole("status");
  await expect(status).toContainText("Fetched", { timeout: 30_000 });
  return (await status.textContent()) ?? "";
}

test("a new mail appears in the Requests list; its HTML payloads stay inert", async ({ adminPage: page, rig, console: info }) => {
  const alice = rig.auth.users.alice.username;
  const folder = `Req-${randomBytes(3).toString("hex")}`;
  await ensureFolder(rig, alice, folder);
  await deliver(rig, alice, mail(`Old mail ${folder}`), folder);
  await addMailbox(page, rig, folder);
  expect(await fetchNow(page)).toContain("Fetched 0 new mail");

  const payload = [
    `<p>Hello from ${folder}</p>`,
    "<script>window.top.__mailbridgePwned = 'script'</script>",
    `<img src="x" onerror="window.top.__mailbridgePwned = 'onerror'">`,
    `<img src="http://127.0.0.2:9/track.png">`,
    `<a href="javascript:window.top.__mailbridgePwned='link'">click</a>`,
  ].join("\n");
  await deliver(rig, alice, mail(`Printer on fire ${folder}`), folder);
  await deliver(rig, alice, mail(`Hostile ${folder}`, payload), folder);
  expect(await fetchNow(page)).toContain("Fetched 2 new mail(s): 2 new request(s)");

  await page.goto(`/requests?q=${folder}`);
  const list = page.getByRole("table", { name: "Requests" });
  await expect(list.getByRole("link", { name: `Printer on fire ${folder}` })).toBeVisible();
  await expect(list.getByRole("link", { name: `Old mail ${folder}` })).toHaveCount(0);

  const outside: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(info.url) && !request.url().startsWith("data:") && request.url() !== "about:blank") outside.push(request.url());
  });
  await list.getByRole("link", { name: `Hostile ${folder}` }).click();
  const frame = page.frameLocator('iframe[title="Mail body"]');
  await expect(frame.getByText(`Hello from ${folder}`)).toBeVisible();
  // give a payload that would run on load (script, onerror) the time to do so
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __mailbridgePwned?: string }).__mailbridgePwned)).toBeUndefined();
  expect(outside).toEqual([]);
  const html = await page.request.get(await page.locator('iframe[title="Mail body"]').getAttribute("src").then((s) => new URL(s!, info.url).toString()));
  expect(html.headers()["content-security-policy"]).toContain("default-src 'none'");
  expect(await html.text()).not.toMatch(/<script|onerror|javascript:/i);
});
