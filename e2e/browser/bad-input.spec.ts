// Input the console cannot use gets a 4xx or a field error with a message, never a 500, "Something went
// wrong" or an exception in the log.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { request as playwrightRequest } from "@playwright/test";
import { request as undiciRequest } from "undici";
import { actionRequest, builtServerActions, type ServerAction } from "./app-surface";
import { expect, test } from "./fixtures";

const logFile = path.resolve("test-results/console.log");
const action = (name: string): ServerAction => builtServerActions().find((a) => a.name === name)!;

/** What the console logged while `run` ran. */
async function loggedDuring(run: () => Promise<void>): Promise<string> {
  const before = statSync(logFile).size;
  await run();
  await new Promise((r) => setTimeout(r, 500));
  return readFileSync(logFile, "utf8").slice(before);
}

test("an anonymous body over 1 MB, a missing length and a foreign or unknown action id get a 4xx, quietly", async ({
  console: info,
}) => {
  const anonymous = await playwrightRequest.newContext({ baseURL: info.url });
  const setup = action("createFirstAdminAction");
  const log = await loggedDuring(async () => {
    const big = await anonymous.fetch("/setup", {
      ...actionRequest(setup, []).options,
      data: "a".repeat(1024 * 1024 + 10),
    });
    expect(big.status()).toBe(413);
    expect((await big.json()).error).toMatch(/too large/);

    const chunked = await undiciRequest(`${info.url}/setup`, {
      method: "POST",
      headers: actionRequest(setup, []).options.headers,
      body: Readable.from(["[{}]"]),
    });
    expect(chunked.statusCode).toBe(411);
    await chunked.body.dump();

    // an action of the users page posted to the sign-in page: Next tried to forward it and logged an exception
    const foreign = await anonymous.fetch("/signin", actionRequest(action("addUserAction"), [{}]).options);
    expect(foreign.status()).toBe(404);
    expect((await foreign.json()).error).toMatch(/not available on this page/);

    const unknown = await anonymous.fetch(
      "/signin",
      actionRequest({ ...setup, id: "7f" + "0".repeat(40) }, [{}]).options,
    );
    expect(unknown.status()).toBe(404);
  });
  expect(log).not.toMatch(/uncaughtException|Failed to find Server Action|Body exceeded|Error:/);
  await anonymous.dispose();
});

test("ids of things that do not exist and values the server cannot use are explained", async ({ adminPage }) => {
  const call = async (name: string, input: unknown) => {
    const { url, options } = actionRequest(action(name), [input]);
    const response = await adminPage.request.fetch(url, {
      ...options,
      headers: { ...options.headers, Origin: new URL(adminPage.url()).origin },
    });
    expect(response.status(), name).toBeLessThan(500);
    return response.text();
  };
  const log = await loggedDuring(async () => {
    expect(await call("setDisabledAction", { userId: "no-such-user", disabled: true })).toContain("no longer exists");
    expect(await call("resetPasswordAction", { userId: "no-such-user", password: "a-long-enough-password" })).toContain(
      "no longer exists",
    );
    expect(await call("testConnectionAction", { connectionId: "no-such-connection" })).toContain("no longer exists");
    const fields = await call("saveConnectionAction", {
      preset: "generic",
      grantType: "client_credentials",
      clientId: "x",
      tokenUrl: "http://idp.example.com/token",
      secretExpiresOn: "2026-02-31",
      privateKey: "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----",
    });
    expect(fields).toContain("must use https://");
    expect(fields).toContain("Enter a real date");
    expect(fields).toContain("Paste the private key in PEM form");
    expect(
      await call("saveConnectionAction", {
        preset: "generic",
        grantType: "client_credentials",
        clientId: "x",
        tokenUrl: "https://idp.example.com/token",
        secretExpiresOn: "9999-12-31",
      }),
    ).toContain("between 2000 and 2199");
  });
  expect(log).not.toMatch(/unexpected|uncaught/i);
});

test("every page carries a nonce Content-Security-Policy that its own scripts satisfy", async ({
  adminPage,
  console: info,
}) => {
  const violations: string[] = [];
  adminPage.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const response = await adminPage.goto("/users");
  const csp = response!.headers()["content-security-policy"];
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  const html = await response!.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  // the page works under its policy: a client-side form still submits
  await adminPage.getByLabel("Email address").fill(`csp-${Date.now()}@mailbridge.test`);
  await adminPage.getByLabel("Initial password").fill("short");
  await adminPage.getByRole("button", { name: "Add user" }).click();
  await expect(adminPage.getByText(/at least 12 characters/i)).toBeVisible();
  expect(violations).toEqual([]);
  // a second response has a different nonce; the sign-in page and the API get the policy too
  const again = await adminPage.request.get("/users");
  expect(/'nonce-([^']+)'/.exec(again.headers()["content-security-policy"])?.[1]).not.toBe(nonce);
  const anonymous = await playwrightRequest.newContext({ baseURL: info.url });
  expect((await anonymous.get("/signin")).headers()["content-security-policy"]).toContain("'strict-dynamic'");
  expect((await anonymous.get("/api/health")).headers()["content-security-policy"]).toContain("default-src 'self'");
  // plain http here: no HSTS (it is sent only when the public URL is https; see lib/http's test)
  expect((await anonymous.get("/signin")).headers()["strict-transport-security"]).toBeUndefined();
  await anonymous.dispose();
});
