// Steps the requests specs share: a raw customer mail, saving a password mailbox on the rig's Dovecot through
// the console, and "Fetch now" with its outcome.
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import type { RigInfo } from "../rig/info";
import { expect } from "./fixtures";

export function mail(subject: string, html?: string): string {
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

export async function addMailbox(page: Page, rig: RigInfo, folder: string): Promise<void> {
  const alice = rig.auth.users.alice;
  await page.goto("/incoming/new");
  await page.getByLabel("Mailbox name").fill(`Desk ${folder}`);
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Authentication Type").selectOption("password");
  await page.getByLabel("Server Name / IP Address").fill(rig.imap.host);
  await page.getByLabel("Port", { exact: true }).fill(String(rig.imap.tlsPort));
  await page.getByLabel("Username").fill(alice.username);
  await page.getByLabel("Email Address(es)").fill(alice.username);
  await page.getByLabel("Password", { exact: true }).fill(alice.password);
  await page.getByLabel("Folder").fill(folder);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connected to" })).toBeVisible({ timeout: 30_000 });
}

export async function fetchNow(page: Page): Promise<string> {
  await page.reload(); // no outcome of an earlier click on the page
  await page.getByRole("button", { name: "Fetch now" }).click();
  const status = page.getByRole("region", { name: "Fetching" }).getByRole("status");
  await expect(status).toContainText("Fetched", { timeout: 30_000 });
  return (await status.textContent()) ?? "";
}
