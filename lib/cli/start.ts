import cluster from "node:cluster";
import path from "node:path";
import { config, ConfigError, type Config } from "@/lib/config";
import { loadKeyring } from "@/lib/crypto";
import { migrate } from "@/lib/db/migrate";
import { buildIfNeededInBackground } from "./build-if-needed";
import { installShutdown } from "./shutdown";
import { serveConsole, startLoading, StartError } from "./web-server";
import { reportStart, runWebProcesses } from "./web-processes";

const root = path.resolve(__dirname, "..", "..");

function printRunning(c: Config, processes: number) {
  const where = c.database.provider === "sqlite" ? c.database.file : "PostgreSQL";
  const serving = processes > 1 ? `, ${processes} web processes` : "";
  console.log(`Mailbridge is running: ${c.publicUrl} (database: ${where}${serving})`);
  console.log(`process id ${process.pid}; stop it with: kill ${process.pid}`);
}

// The console on the embedded database in one process, or in several (MAILBRIDGE_WEB_PROCESSES,
// web-processes.ts); the scheduled fetcher and the other background jobs run in exactly one of them.
async function main() {
  const shutdown = installShutdown();
  // Relative settings (./data) and the build's manifests are found from the project folder.
  process.chdir(root);
  const c = config();
  loadKeyring(); // refuse to start without a usable key, before anything is served (creates the key file)
  const result = await migrate(c.database);
  if (result.applied.length) console.log(`database migrated: ${result.applied.join(", ")}`);
  const loading = c.webProcesses > 1 ? null : startLoading();
  if (!process.argv.includes("--no-build")) await buildIfNeededInBackground(root, shutdown.track);
  if (loading) await serveConsole({ root, config: c, shutdown, loading });
  else await runWebProcesses(c.webProcesses, shutdown);
  printRunning(c, c.webProcesses);
}

// One of several web processes: the primary migrated and built already, and prints what is running.
async function webProcess() {
  const shutdown = installShutdown({
    repeatForces: false,
    log: (line) => {
      if (!/received: stopping|^stopped$/.test(line)) console.log(`web process ${process.pid}: ${line}`);
    },
  });
  const c = config();
  loadKeyring();
  await serveConsole({ root, config: c, shutdown, loading: startLoading() });
  await reportStart({ mailbridgeStart: "listening" });
}

function failureMessage(e: unknown): string {
  if (e instanceof ConfigError || e instanceof StartError || (e instanceof Error && e.name === "KeyringError"))
    return e.message;
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

(cluster.isWorker ? webProcess() : main()).catch(async (e: unknown) => {
  if (cluster.isWorker) await reportStart({ mailbridgeStart: "failed", message: failureMessage(e) });
  else console.error(`Mailbridge cannot start: ${failureMessage(e)}`);
  process.exit(1);
});
