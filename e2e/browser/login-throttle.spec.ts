// The sign-in throttle over HTTP, on a console of its own (its lockouts must not touch the other tests):
// clients on different loopback addresses, one of them a trusted reverse proxy.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { test as base, expect } from "@playwright/test";
import { consolePort, startConsole, type ConsoleServer } from "./console-server";
import { fromAddress, signInOverHttp } from "./http-sign-in";

const ADMIN = { email: "admin@throttle.test", password: "the-throttle-admins-password" };
const PROXY = "127.0.0.9";

const test = base.extend<object, { server: ConsoleServer }>({
  server: [
    async ({}, use) => {
      const root = path.resolve(__dirname, "..", "..");
      const server = await startConsole({
        port: consolePort() + 3,
        dataDir: path.resolve("test-results/console-throttle"),
        env: { MAILBRIDGE_TRUSTED_PROXIES: PROXY },
      });
      execFileSync(
        process.execPath,
        [
          "--conditions=react-server",
          "--import",
          "tsx",
          path.join(root, "e2e/support/seed-users.ts"),
          ADMIN.email,
          ADMIN.password,
          "viewer@throttle.test",
          "the-throttle-viewers-password",
        ],
        { cwd: root, env: { ...process.env, MAILBRIDGE_DATA_DIR: server.dataDir, DATABASE_URL: "" }, stdio: "inherit" },
      );
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
});

test("a forged X-Forwarded-For does not get around the limit, and the attacker does not lock the admin out", async ({
  server,
}) => {
  const attacker = fromAddress("127.0.0.2");
  const answers = [];
  for (let i = 0; i < 8; i++) {
    answers.push(
      await signInOverHttp(server.url, attacker, ADMIN.email, `guess-${i}`, {
        "x-forwarded-for": `198.51.100.${i + 1}`,
        "x-real-ip": `198.51.100.${i + 1}`,
      }),
    );
  }
  expect(answers.slice(0, 5).map((a) => a.code)).toEqual(Array(5).fill("credentials"));
  expect(answers.slice(5).map((a) => a.code)).toEqual(Array(3).fill("throttled"));
  expect(answers.some((a) => a.signedIn)).toBe(false);
  // even the right password waits at the attacker's address…
  expect((await signInOverHttp(server.url, attacker, ADMIN.email, ADMIN.password)).code).toBe("throttled");
  // …but not at the admin's own
  const admin = await signInOverHttp(server.url, fromAddress("127.0.0.3"), ADMIN.email, ADMIN.password);
  expect(admin.signedIn, admin.location).toBe(true);
});

test("behind a trusted proxy each client is counted on its own address", async ({ server }) => {
  const proxy = fromAddress(PROXY);
  for (let i = 0; i < 6; i++)
    await signInOverHttp(server.url, proxy, ADMIN.email, `guess-${i}`, { "x-forwarded-for": "203.0.113.7" });
  expect(
    (await signInOverHttp(server.url, proxy, ADMIN.email, ADMIN.password, { "x-forwarded-for": "203.0.113.7" })).code,
  ).toBe("throttled");
  // the client forges an entry in front; the proxy appends the real one, which is what counts
  const other = await signInOverHttp(server.url, proxy, ADMIN.email, ADMIN.password, {
    "x-forwarded-for": "203.0.113.7, 203.0.113.8",
  });
  expect(other.signedIn, other.location).toBe(true);
});

test("a concurrent burst of 40 tries gets at most 5 password checks, and the right password is refused after it", async ({
  server,
}) => {
  const burst = fromAddress("127.0.0.4");
  const guesses = Array.from({ length: 40 }, (_, i) => `guess-${i}`);
  const answers = await Promise.all(guesses.map((g) => signInOverHttp(server.url, burst, ADMIN.email, g)));
  const checked = answers.filter((a) => a.code !== "throttled");
  expect(checked.length).toBeLessThanOrEqual(5);
  expect(answers.filter((a) => a.code === "throttled").length).toBeGreaterThanOrEqual(35);
  expect((await signInOverHttp(server.url, burst, ADMIN.email, ADMIN.password)).code).toBe("throttled");
});

test("the sign-in form says how long to wait", async ({ server, browser }) => {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto("/signin");
  for (let i = 0; i < 6; i++) {
    await page.getByLabel("Email address").fill("viewer@throttle.test");
    await page.getByLabel("Password").fill(`wrong-${i}`);
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/signin"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await answered;
    await expect(page.locator(".alert-error")).toBeVisible();
  }
  await expect(page.locator(".alert-error")).toHaveText(
    /Too many failed sign-ins for this account from your address\. Wait \d+ seconds? and try again\./,
  );
  await context.close();
});
