// Requests in Chromium against the rig's Dovecot: an admin saves a password mailbox, the first "Fetch now"
// imports nothing old, a mail saved afterwards appears in the Requests list; a mail carrying script and
// onerror= payloads renders inert in its sandboxed frame (no flag set, no request leaves the console).
import { randomBytes } from "node:crypto";
import { deliver, ensureFolder } from "../rig/mailbox";
import { expect, test } from "./fixtures";
import { addMailbox, fetchNow, mail } from "./mailbox-steps";

test("a new mail appears in the Requests list; its HTML payloads stay inert", async ({
  adminPage: page,
  rig,
  console: info,
}) => {
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
    if (!request.url().startsWith(info.url) && !request.url().startsWith("data:") && request.url() !== "about:blank")
      outside.push(request.url());
  });
  await list.getByRole("link", { name: `Hostile ${folder}` }).click();
  const frame = page.frameLocator('iframe[title="Mail body"]');
  await expect(frame.getByText(`Hello from ${folder}`)).toBeVisible();
  // give a payload that would run on load (script, onerror) the time to do so
  await page.waitForTimeout(500);
  expect(
    await page.evaluate(() => (window as unknown as { __mailbridgePwned?: string }).__mailbridgePwned),
  ).toBeUndefined();
  expect(outside).toEqual([]);
  const html = await page.request.get(
    await page
      .locator('iframe[title="Mail body"]')
      .getAttribute("src")
      .then((s) => new URL(s!, info.url).toString()),
  );
  expect(html.headers()["content-security-policy"]).toContain("default-src 'none'");
  expect(await html.text()).not.toMatch(/<script|onerror|javascript:/i);
});
