// `npm test`: every suite (type check, unit + integration, browser) against one rig, then one line:
// "N passed, N failed".
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { dropStaleTestDatabases } from "./support/postgres";
import { removeStaleTempEntries } from "./support/temp-dirs";
import { ensureSystemPackages } from "./system-packages";

type Tally = { passed: number; failed: number; skipped: number };
const root = path.resolve(__dirname, "..");
const results = path.join(root, "test-results");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

// Asynchronous on purpose: the rig's in-process servers (authorization server, Microsoft doubles) live in
// this process and must keep answering while the suites run.
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env });
    child.on("error", () => resolve(1));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

async function typecheck(): Promise<Tally> {
  const status = await run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  console.log(status === 0 ? "type check: ok" : "type check: FAILED");
  return { passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 };
}

// The house rules (lib/ concern entries, no process.env outside lib/config, no test rig in the product, file
// size): an error fails the run; warnings are printed. Then the formatter: a file Prettier would change fails.
async function lint(): Promise<Tally> {
  const eslint = await run(bin("eslint"), ["."]);
  const prettier = await run(bin("prettier"), ["--check", "--log-level=warn", "."]);
  console.log(eslint === 0 ? "lint: ok" : "lint: FAILED");
  console.log(prettier === 0 ? "format: ok" : "format: FAILED (npm run format rewrites the files listed above)");
  const failed = (eslint === 0 ? 0 : 1) + (prettier === 0 ? 0 : 1);
  return { passed: 2 - failed, failed, skipped: 0 };
}

async function vitest(env: NodeJS.ProcessEnv): Promise<Tally> {
  const out = path.join(results, "vitest.json");
  rmSync(out, { force: true });
  const status = await run(
    bin("vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`],
    env,
  );
  if (!existsSync(out)) return { passed: 0, failed: 1, skipped: 0 };
  const report = JSON.parse(readFileSync(out, "utf8"));
  const tally = {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
  };
  // a suite that fails to load has no tests but still fails the run
  const brokenFiles = (report.testResults ?? []).filter(
    (f: { status: string; assertionResults: unknown[] }) => f.status === "failed" && f.assertionResults.length === 0,
  ).length;
  tally.failed += brokenFiles;
  if (status !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

async function playwright(env: NodeJS.ProcessEnv): Promise<Tally> {
  const out = path.join(results, "playwright.json");
  rmSync(out, { force: true });
  const status = await run(bin("playwright"), ["test"], { ...env, MAILBRIDGE_PW_JSON: out });
  if (!existsSync(out)) return { passed: 0, failed: 1, skipped: 0 };
  const stats = JSON.parse(readFileSync(out, "utf8")).stats;
  const tally = { passed: stats.expected, failed: stats.unexpected + stats.flaky, skipped: stats.skipped };
  if (status !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

// Before the suites: a cluster recovering from an unclean stop can take longer to start than a test may.
function startPostgres(): void {
  try {
    const dropped = dropStaleTestDatabases(3 * 60 * 60 * 1000);
    console.log(`PostgreSQL: up${dropped.length ? `, ${dropped.length} left-over test database(s) dropped` : ""}`);
  } catch (e) {
    // The PostgreSQL tests fail on their own with the reason; the others still run.
    console.error(`PostgreSQL: not started: ${e instanceof Error ? e.message : e}`);
  }
}

async function main() {
  mkdirSync(results, { recursive: true });
  const removed = removeStaleTempEntries(3 * 60 * 60 * 1000);
  if (removed.length)
    console.log(`${removed.length} left-over temporary folder(s) and file(s) of earlier runs removed`);
  ensureSystemPackages();
  startPostgres();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
  };
  const tallies: Tally[] = [await typecheck(), await lint()];
  // A path of this run's own, so a rig started by anything else on the machine cannot overwrite it.
  env.MAILBRIDGE_RIG_INFO = process.env.MAILBRIDGE_RIG_INFO = path.join(results, `rig-run-${process.pid}.json`);
  const { startRig } = await import("./rig/index");
  const rig = await startRig();
  let ok = false;
  try {
    tallies.push(await vitest(env));
    tallies.push(await playwright(env));
    ok = true;
  } finally {
    await rig.stop();
    if (!ok) console.error("the test run was interrupted; rig logs are under test-results/");
  }
  const total = tallies.reduce(
    (a, t) => ({ passed: a.passed + t.passed, failed: a.failed + t.failed, skipped: a.skipped + t.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  console.log(`\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
  process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  console.log("\n0 passed, 1 failed");
  process.exit(1);
});
