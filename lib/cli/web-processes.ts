// `npm start` with MAILBRIDGE_WEB_PROCESSES > 1: this (primary) process migrates and builds, then forks that
// many web processes that share the port (node:cluster hands each new connection to the next one). The first
// also runs the background jobs; the others are started with WEB_ONLY_FLAG. Signals stop them all (the
// shutdown passes them on and kills what outlives the grace time); a web process that ends on its own stops
// the rest and the primary exits with 1, as the single process would have, so a supervisor restarts it.
import cluster, { type Worker } from "node:cluster";
import { relayPeerMessages, WEB_ONLY_FLAG } from "@/lib/cluster";
import { SHUTDOWN_GRACE_MS, type Shutdown } from "./shutdown";

/** What a web process tells the primary about its start. */
export type StartReport = { mailbridgeStart: "listening" } | { mailbridgeStart: "failed"; message: string };

/** Resolves once the report is on its way (a process that exits next must not lose it). */
export function reportStart(report: StartReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(report, undefined, {}, () => resolve());
  });
}

function isStartReport(message: unknown): message is StartReport {
  return typeof message === "object" && message !== null && "mailbridgeStart" in message;
}

const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));

/** Ends every web process (SIGTERM, SIGKILL after the grace time) and exits with 1. */
async function stopAllAndFail(): Promise<never> {
  const running = workers().filter((w) => w.process.exitCode === null && w.process.signalCode === null);
  const gone = Promise.all(running.map((w) => new Promise((resolve) => w.process.once("exit", resolve))));
  running.forEach((w) => w.process.kill("SIGTERM"));
  const force = setTimeout(() => running.forEach((w) => w.process.kill("SIGKILL")), SHUTDOWN_GRACE_MS);
  await gone;
  clearTimeout(force);
  process.exit(1);
}

/** Forks `count` web processes; resolves once all of them listen. Exits the process if one cannot start. */
export function runWebProcesses(count: number, shutdown: Shutdown): Promise<void> {
  relayPeerMessages(workers);
  const args = [...process.argv.slice(2).filter((a) => a !== WEB_ONLY_FLAG && a !== "--no-build"), "--no-build"];
  return new Promise((resolve) => {
    const listening = new Set<Worker>();
    let reported = false;
    let failing = false;
    for (let i = 0; i < count; i++) {
      cluster.setupPrimary({ args: i === 0 ? args : [...args, WEB_ONLY_FLAG] });
      const worker = cluster.fork();
      shutdown.track(worker.process);
      worker.on("message", (message: unknown) => {
        if (!isStartReport(message)) return;
        if (message.mailbridgeStart === "failed") {
          if (!reported) console.error(`Mailbridge cannot start: ${message.message}`);
          reported = true;
          return;
        }
        listening.add(worker);
        if (listening.size === count) resolve();
      });
      // a moment later: a failure report sent just before the exit is read first
      worker.on("exit", (code, signal) => setTimeout(() => ended(code, signal), 100));
      const ended = (code: number | null, signal: string | null) => {
        if (shutdown.stopping || failing) return;
        failing = true;
        if (!reported) {
          const how = signal ? `by ${signal}` : `with code ${code}`;
          console.error(
            listening.size === count
              ? `Mailbridge stops: web process ${worker.process.pid} ended ${how}`
              : `Mailbridge cannot start: web process ${worker.process.pid} ended ${how}`,
          );
        }
        void stopAllAndFail();
      };
    }
  });
}
