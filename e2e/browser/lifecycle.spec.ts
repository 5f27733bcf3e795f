import path from "node:path";
import { Agent, request } from "undici";
import { SHUTDOWN_GRACE_MS } from "../../lib/cli/shutdown";
import { consolePort, startConsole } from "./console-server";
import { expect, test } from "./fixtures";
import { descendantsOf, isAlive, portAccepts } from "./process-tree";

async function until(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

test("kill of `npm start` closes the port within the grace time and leaves no process behind", async () => {
  const port = consolePort() + 2;
  const server = await startConsole({ port, dataDir: path.resolve("test-results/console-lifecycle"), viaNpm: true });
  // A keep-alive connection that stays open: it used to hold the server up.
  const agent = new Agent({ keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  try {
    const health = await request(`${server.url}/api/health`, { dispatcher: agent });
    await health.body.dump();
    await until("the process id is printed", 5000, () => server.output().includes("stop it with"));
    const tree = descendantsOf(server.process.pid!);
    expect(tree.length, "npm runs the console as a child").toBeGreaterThan(0);
    const printed = /process id (\d+); stop it with: kill \1/.exec(server.output());
    expect(printed, server.output()).not.toBeNull();
    expect(tree).toContain(Number(printed![1]));

    server.process.kill("SIGTERM");
    const closedAfter = await until(
      "the port closes",
      SHUTDOWN_GRACE_MS + 5000,
      async () => !(await portAccepts(port)),
    );
    expect(closedAfter).toBeLessThan(SHUTDOWN_GRACE_MS);
    await until("every process of the console ends", SHUTDOWN_GRACE_MS + 5000, () =>
      tree.every((pid) => !isAlive(pid)),
    );
    expect(server.output()).toContain("SIGTERM received: stopping");
  } finally {
    await agent.close();
    await server.stop();
  }
});

test("the printed process id stops the console too, with a request in flight", async () => {
  const port = consolePort() + 2;
  const server = await startConsole({ port, dataDir: path.resolve("test-results/console-lifecycle") });
  await until("the process id is printed", 5000, () => server.output().includes("stop it with"));
  const pid = Number(/process id (\d+)/.exec(server.output())![1]);
  expect(pid).toBe(server.process.pid);
  const inFlight = request(`${server.url}/api/health`).then(
    (r) => r.body.dump().then(() => r.statusCode),
    () => 0,
  );
  process.kill(pid, "SIGTERM");
  await until("the port closes", SHUTDOWN_GRACE_MS + 5000, async () => !(await portAccepts(port)));
  await until("the console exits", SHUTDOWN_GRACE_MS + 5000, () => server.process.exitCode !== null);
  expect(server.process.exitCode).toBe(0);
  expect([0, 200]).toContain(await inFlight);
  await server.stop();
});
