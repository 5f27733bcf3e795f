// `npm run demo` as a newcomer meets it: from the printed walk-through to the first sample mail, counting
// every field typed into on the way (the console's and the authorization server's sign-in page), and a
// restart of the demo that leaves the saved mailbox connected with a refresh token the restarted
// authorization server still honours.
import { rmSync } from "node:fs";
import path from "node:path";
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { setTtl, tokenRequestCount } from "../rig/auth-client";
import { consolePort } from "./console-server";
import { startDemo, type DemoProcess } from "./demo-process";

const MAX_TYPED_FIELDS = 10;
const SCREEN_LINES = 24;
// Above the other specs' consoles (consolePort() + 1 … + 4); the demo's rig takes the next 13 ports.
const port = consolePort() + 10;
const dataDir = path.resolve(__dirname, "..", "..", "test-results", `demo-${process.pid}`);
const admin = { email: "newcomer@mailbridge.test", password: "Newcomer-demo-2026!" };
const SAMPLE_SUBJECTS = /Printer on floor 3 is jammed|VPN password reset/;

test.describe.configure({ mode: "serial" });

let demo: DemoProcess | undefined;

test.beforeAll(() => rmSync(dataDir, { recursive: true, force: true }));
// The demo's data folder goes with the spec: a failure's report keeps the end of what its console logged.
test.afterEach(({}, testInfo) => {
  if (demo && testInfo.status !== testInfo.expectedStatus)
    console.error(`the demo's last output (${testInfo.title}):\n${demo.outputTail(80)}`);
});
test.afterAll(async () => {
  await demo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Records each distinct field (page path + id) a keystroke or fill changed, in every page of the context. */
async function countTypedFields(context: BrowserContext): Promise<Set<string>> {
  const typed = new Set<string>();
  await context.exposeBinding("__mailbridgeTyped", (_source, key: string) => typed.add(key));
  await context.addInitScript(() => {
    const notTyped = new Set(["checkbox", "radio", "button", "submit", "reset", "hidden", "file", "range", "color"]);
    document.addEventListener(
      "input",
      (event) => {
        const field = event.target;
        const isText =
          field instanceof HTMLTextAreaElement || (field instanceof HTMLInputElement && !notTyped.has(field.type));
        if (!isText) return;
        const where = `${location.host}/${location.pathname.split("/")[1] ?? ""}`;
        (window as unknown as { __mailbridgeTyped(key: string): void }).__mailbridgeTyped(
          `${where} #${field.id || field.name}`,
        );
      },
      true,
    );
  });
  return typed;
}

/** The rig's sign-in page as a person answers it: the address comes pre-filled from the mailbox. */
async function consent(popup: Page, user: { username: string; password: string }): Promise<void> {
  const closed = popup.waitForEvent("close", { timeout: 30_000 });
  await expect(popup.getByLabel("Email")).toHaveValue(user.username);
  await popup.getByLabel("Password").fill(user.password);
  await popup.getByRole("button", { name: "Sign in" }).click();
  await popup.getByRole("button", { name: "Approve" }).click();
  await closed;
}

async function fetchSample(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Fetch a sample mail" }).click();
  await expect(page.getByRole("region", { name: "Sample mail" })).toContainText(SAMPLE_SUBJECTS, { timeout: 30_000 });
}

test("a newcomer gets from the walk-through to a sample mail with at most 10 typed fields", async ({ browser }) => {
  test.setTimeout(120_000);
  demo = await startDemo({ dataDir, port });
  const { rig, walkThrough } = demo;
  console.log(`demo walk-through (${walkThrough.length} lines):\n${walkThrough.join("\n")}`);
  expect(walkThrough.length).toBeLessThanOrEqual(SCREEN_LINES);
  const alice = rig.auth.users.alice;
  const client = rig.auth.clients.secretPost;
  // Tokens shorter than the console's renewal margin: every use after the restart must refresh.
  await setTtl(rig, 60, { clientId: client.clientId });

  const context = await browser.newContext({ baseURL: demo.url });
  const typed = await countTypedFields(context);
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Create the first administrator" })).toBeVisible();
  await page.getByLabel("Email address").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Confirm password").fill(admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  await page.getByRole("link", { name: "Incoming mail" }).first().click();
  await page.getByRole("link", { name: "Add a mailbox" }).click();
  await page.getByLabel("Email Address(es)").fill(alice.username);
  await page.getByLabel("Connection Protocol").selectOption("imaps");
  await page.getByLabel("Server Name / IP Address").fill("127.0.0.1");
  await page.getByLabel("Port", { exact: true }).fill(String(rig.imap.tlsPort));
  await page.getByLabel("OAuth application").selectOption({ label: `Generic OAuth 2.0 · ${client.clientId}` });
  const popup = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Save" }).click();
  await consent(await popup, alice);
  await expect(page.getByRole("status").filter({ hasText: "Connected to" })).toBeVisible({ timeout: 30_000 });
  await fetchSample(page);

  const fields = [...typed].sort();
  console.log(
    `typed fields from the walk-through to the first sample mail: ${fields.length}\n  ${fields.join("\n  ")}`,
  );
  expect(fields.length).toBeLessThanOrEqual(MAX_TYPED_FIELDS);
  await context.close();
});

test("the demo restarted keeps a saved mailbox connected", async ({ browser }) => {
  test.setTimeout(120_000);
  expect(demo, "runs after the test that saved the mailbox").toBeDefined();
  await demo!.stop();
  demo = await startDemo({ dataDir, port });
  const rig = demo.rig;

  const context = await browser.newContext({ baseURL: demo.url });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  await page.goto("/incoming");
  const row = page.getByRole("row", { name: new RegExp(rig.auth.users.alice.username) });
  await expect(row).toContainText("Connected");
  await row.getByRole("link").click();
  await fetchSample(page);
  // The sample fetch renewed the access token at the restarted server with the refresh token saved before.
  expect(await tokenRequestCount(rig, rig.auth.clients.secretPost.clientId)).toBeGreaterThan(0);
  await page.goto("/incoming");
  await expect(page.getByRole("row", { name: new RegExp(rig.auth.users.alice.username) })).toContainText("Connected");
  await context.close();
});
