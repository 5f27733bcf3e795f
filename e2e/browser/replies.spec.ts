// Replies in Chromium against the rig: an admin answers a fetched request from its page; the reply appears in
// the thread as queued, then sent (the console's outbox worker hands it to Postfix, the sink receives it with
// the request tag). A Viewer sees the thread but no reply form, and the server refuses the action.
import { randomBytes, randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { deliver, ensureFolder } from "../rig/mailbox";
import type { RigInfo } from "../rig/info";
import { waitForDelivered } from "../support/outgoing-fixtures";
import { actionRequest, builtServerActions } from "./app-surface";
import { expect, test } from "./fixtures";
import { addMailbox, fetchNow, mail } from "./mailbox-steps";

async function configurePasswordSmtps(page: Page, rig: RigInfo): Promise<void> {
  const alice = rig.auth.users.alice;
  await page.goto("/outgoing");
  await page.getByLabel("Connection Protocol").selectOption("smtps");
  await page.getByLabel("Authentication Type").selectOption("password");
  await page.getByLabel("Server Name / IP Address", { exact: true }).fill(rig.smtp.host);
  await page.getByLabel("Port", { exact: true }).fill(String(rig.smtp.smtpsPort));
  await page.getByLabel("Username").first().fill(alice.username);
  await page.getByLabel("Password", { exact: true }).fill(alice.password);
  await page.getByLabel("Sender Name").fill("Rig Helpdesk");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: `Connected to ${rig.smtp.host}:${rig.smtp.smtpsPort}` }),
  ).toBeVisible({ timeout: 30_000 });
}

test("an admin answers a request from its page and sees the reply queued, then sent", async ({
  adminPage: page,
  viewerPage,
  rig,
}) => {
  const alice = rig.auth.users.alice.username;
  const folder = `Reply-${randomBytes(3).toString("hex")}`;
  await ensureFolder(rig, alice, folder);
  await addMailbox(page, rig, folder);
  await fetchNow(page);
  await deliver(rig, alice, mail(`Scanner jammed ${folder}`), folder);
  expect(await fetchNow(page)).toContain("1 new request(s)");
  await configurePasswordSmtps(page, rig);

  await page.goto(`/requests?q=${folder}`);
  await page
    .getByRole("table", { name: "Requests" })
    .getByRole("link", { name: `Scanner jammed ${folder}` })
    .click();
  const form = page.getByRole("form", { name: "Reply" });
  await expect(form).toContainText("To customer@example.org");
  const requestUrl = page.url();
  await form.getByRole("button", { name: "Send reply" }).click();
  await expect(form.getByRole("alert")).toHaveText("Write the reply.");
  await form.getByLabel("Message").fill(`Please open the lid. ${folder}`);
  await form.getByRole("button", { name: "Send reply" }).click();

  const reply = page.getByRole("article", { name: "Reply to customer@example.org" });
  await expect(reply).toContainText(`Please open the lid. ${folder}`);
  await expect(reply).toContainText(/Queued|Sending|Sent/);
  await expect(form.getByLabel("Message")).toHaveValue("");
  const sent = await waitForDelivered(
    rig,
    (m) => m.envelope.to.includes("customer@example.org") && m.raw.includes(`Please open the lid. ${folder}`),
    30_000,
  );
  expect(sent.subject).toMatch(new RegExp(`^Re: \\[#\\d+\\] Scanner jammed ${folder}$`));
  await expect(async () => {
    await page.reload();
    await expect(reply).toContainText("Sent", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  await viewerPage.goto(requestUrl);
  await expect(viewerPage.getByRole("article", { name: "Reply to customer@example.org" })).toContainText(
    `Please open the lid. ${folder}`,
  );
  await expect(viewerPage.getByRole("form", { name: "Reply" })).toHaveCount(0);
  // ... and the server refuses the action when a Viewer posts it anyway.
  const sendReply = builtServerActions().find((a) => a.name === "sendReplyAction")!;
  const requestId = new URL(requestUrl).pathname.split("/").at(-1);
  const { options } = actionRequest(sendReply, [
    { requestId, submissionId: randomUUID(), text: `Viewer wrote this ${folder}` },
  ]);
  const response = await viewerPage.request.fetch(requestUrl, options);
  expect(await response.text()).toContain("Your role does not allow this change.");
  await page.reload();
  await expect(page.getByRole("article", { name: "Reply to customer@example.org" })).toHaveCount(1);
});
