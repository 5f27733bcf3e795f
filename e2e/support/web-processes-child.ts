// lib/cli/web-processes.ts with stand-in web processes, for web-processes.test.ts. Primary: forks N of them and
// prints "running" once they all listen. Web process: says whether it runs the background jobs, listens on the
// shared port (or fails to start, with FAIL_START=1) and passes on the peer message it is told to send.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { onPeerMessage, runsBackgroundJobs, tellPeers } from "../../lib/cluster";
import { installShutdown } from "../../lib/cli/shutdown";
import { reportStart, runWebProcesses } from "../../lib/cli/web-processes";

const count = Number(process.env.WEB_PROCESSES ?? 3);
const port = Number(process.env.PORT);

if (cluster.isPrimary) {
  const shutdown = installShutdown({ graceMs: 3000 });
  void runWebProcesses(count, shutdown).then(() => {
    console.log("running");
    // "tell <kind> <value>" on stdin: the first web process sends that peer message
    process.stdin.on("data", (d) => {
      const [word, kind, value] = String(d).trim().split(" ");
      if (word === "tell") Object.values(cluster.workers!)[0]!.send({ test: "tell", kind, value });
    });
  });
} else {
  const shutdown = installShutdown({ repeatForces: false, log: () => undefined });
  console.log(`web process ${process.pid} ${runsBackgroundJobs() ? "runs the jobs" : "serves only"}`);
  onPeerMessage("forget-session-user", (value) => console.log(`web process ${process.pid} heard ${value}`));
  process.on("message", (m: { test?: string; kind?: "forget-session-user"; value?: string }) => {
    if (m.test === "tell") tellPeers(m.kind!, m.value);
  });
  if (process.env.FAIL_START) {
    void reportStart({ mailbridgeStart: "failed", message: "no way" }).then(() => process.exit(1));
  } else {
    const server = createServer((_req, res) => res.end(String(process.pid)));
    shutdown.onStop(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.listen(port, "127.0.0.1", () => void reportStart({ mailbridgeStart: "listening" }));
  }
}
