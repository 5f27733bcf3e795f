// In Chromium against the rig: a stored password is not sent to a changed server (a recording server on
// another loopback port sees no connection, the Password field says why), and a metadata address is refused
// with the policy's words before anything connects.
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { startRecordingServer } from "../support/recording-server";
import type { RigInfo } from "../rig/info";
import { expect, test } from "./fixtures";

async function fillPasswordMailbox(page: Page, rig: RigInfo, name: string) {
  await page.goto("/incoming/new");
  await page.getByLabel("Mailbox name").fill(name);
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Authentication Type").selectOption("password");
  await page.getByLabel("Server Name / IP Address").fill(rig.imap.host);
  await page.getByLabel("Port", { exact: true }).fill(String(rig.imap.tlsPort));
  await page.getByLabel("Username").fill(rig.auth.users.alice.username);
  await page.getByLabel("Password", { exact: true }).fill(rig.auth.users.alice.password);
  await page.getByLabel("Email Address(es)").fill(rig.auth.users.alice.username);
  await page.getByLabel("Folder").fill("INBOX");
  await page.getByLabel("Fetch interval (minutes)").fill("5");
}

test("a changed port does not get the stored password: the form asks for it again", async ({
  adminPage: page,
  rig,
}) => {
  const fake = await startRecordingServer();
  try {
    await fillPasswordMailbox(page, rig, `Password ${randomBytes(3).toString("hex")}`);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Connected to ${rig.imap.host}` })).toBeVisible({
      timeout: 30_000,
    });
    await page.reload();
    await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("placeholder", "(unchanged)");

    await page.getByLabel("Connection Protocol").selectOption("imap");
    await page.getByLabel("Port", { exact: true }).fill(String(fake.port));
    await expect(
      page.getByText(
        "The server changed: enter the password again. A stored password is sent only to the server it was saved for.",
      ),
    ).toBeVisible();
    await page.getByRole("button", { name: "Fetch a sample mail" }).click();
    await expect(page.getByText("The server changed: enter the password again", { exact: true })).toBeVisible({
      timeout: 15_000,
    });
    expect(fake.connections).toBe(0);
  } finally {
    await fake.stop();
  }
});

test("a metadata address is refused with the policy's words", async ({ adminPage: page, rig }) => {
  await fillPasswordMailbox(page, rig, `Metadata ${randomBytes(3).toString("hex")}`);
  await page.getByLabel("Server Name / IP Address").fill("169.254.169.254");
  await page.getByRole("button", { name: "Fetch a sample mail" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The sample fetch failed" })).toContainText(
    "169.254.169.254 is a link-local address: Mailbridge does not connect there",
    { timeout: 15_000 },
  );
  await expect(page.getByRole("note")).toContainText("Mailbridge does not connect to this address");
});
