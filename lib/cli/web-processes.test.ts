// The multi-process start with stand-in web processes (e2e/support/web-processes-child.ts); the real console
// under it is covered by e2e/browser/lifecycle.spec.ts.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { descendantsOf, isAlive, portAccepts } from "@/e2e/browser/process-tree";

const root = path.resolve(import.meta.dirname, "../..");
let child: ChildProcess | undefined;
let output = "";

function start(env: Record<string, string>) {
  output = "";
  child = spawn(process.execPath, ["--import", "tsx", "e2e/support/web-processes-child.ts"], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json"), ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return child;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    c.exitCode !== null ? resolve(c.exitCode) : c.once("exit", (code) => resolve(code)),
  );

afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

describe("several web processes", () => {
  it("share the port, run the background jobs in exactly one, and all stop on SIGTERM to the printed pid", async () => {
    const port = 3441;
    const primary = start({ WEB_PROCESSES: "3", PORT: String(port) });
    await until("running", () => output.includes("running"));
    const pids = descendantsOf(primary.pid!).filter((pid) => output.includes(`web process ${pid}`));
    expect(pids).toHaveLength(3);
    expect(output.match(/runs the jobs/g)).toHaveLength(1);
    expect(output.match(/serves only/g)).toHaveLength(2);
    expect(await portAccepts(port)).toBe(true);

    primary.kill("SIGTERM");
    expect(await exited(primary)).toBe(0);
    expect(await portAccepts(port)).toBe(false);
    await until("every web process ends", () => pids.every((pid) => !isAlive(pid)));
  });

  it("pass a peer message on to every other web process, not back to its sender", async () => {
    const primary = start({ WEB_PROCESSES: "3", PORT: "3442" });
    await until("running", () => output.includes("running"));
    primary.stdin!.write("tell forget-session-user user-7\n");
    await until("two heard it", () => (output.match(/heard user-7/g) ?? []).length === 2);
    const sender = Number(/web process (\d+) runs the jobs/.exec(output)![1]);
    expect(output).not.toContain(`web process ${sender} heard`);
    primary.kill("SIGTERM");
    expect(await exited(primary)).toBe(0);
  });

  it("a web process that cannot start ends them all: its reason is printed once and the exit code is 1", async () => {
    const primary = start({ WEB_PROCESSES: "2", PORT: "3443", FAIL_START: "1" });
    expect(await exited(primary)).toBe(1);
    expect(output.match(/Mailbridge cannot start: no way/g)).toHaveLength(1);
    expect(output).not.toContain("running");
  });

  it("a web process that ends on its own stops the others and the primary exits with 1", async () => {
    const primary = start({ WEB_PROCESSES: "2", PORT: "3444" });
    await until("running", () => output.includes("running"));
    const pids = descendantsOf(primary.pid!).filter((pid) => output.includes(`web process ${pid}`));
    process.kill(pids[1], "SIGKILL");
    expect(await exited(primary)).toBe(1);
    expect(output).toMatch(new RegExp(`Mailbridge stops: web process ${pids[1]} ended by SIGKILL`));
    await until("the other web process ends", () => !isAlive(pids[0]));
  });
});
