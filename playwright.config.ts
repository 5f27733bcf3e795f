import { defineConfig } from "@playwright/test";
import { consolePort } from "./e2e/browser/console-server";

export default defineConfig({
  testDir: "e2e/browser",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/playwright",
  globalSetup: "./e2e/browser/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.MAILBRIDGE_PW_JSON
    ? [["list"], ["json", { outputFile: process.env.MAILBRIDGE_PW_JSON }]]
    : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${consolePort()}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
