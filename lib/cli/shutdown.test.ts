import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** Sends two SIGTERMs 100 ms apart to a process whose stop takes 500 ms; its exit code and output. */
async function stopTwice(repeatForces: boolean): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "e2e/support/shutdown-child.ts"], {
    cwd: root,
    env: { ...process.env, REPEAT_FORCES: repeatForces ? "1" : "0" },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  await new Promise<void>((resolve) => child.stdout.on("data", () => output.includes("ready") && resolve()));
  child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGTERM");
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  return { code, output };
}

describe("shutdown", () => {
  it("a second signal stops at once", async () => {
    const { code, output } = await stopTwice(true);
    expect(output).toContain("SIGTERM again: stopping now");
    expect(code).toBe(1);
  });

  it("without repeatForces, a second signal is the same stop: the stop tasks finish", async () => {
    const { code, output } = await stopTwice(false);
    expect(output).not.toContain("again");
    expect(output).toContain("stopped");
    expect(code).toBe(0);
  });
});
