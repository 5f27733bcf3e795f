import { createServer, type Server } from "node:http";
import path from "node:path";
import { config, ConfigError } from "@/lib/config";
import { loadKeyring } from "@/lib/crypto";
import { migrate } from "@/lib/db/migrate";
import { buildIfNeededInBackground } from "./build-if-needed";
import { installShutdown } from "./shutdown";

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections would hold close() open until they time out; in-flight requests still finish.
    server.closeIdleConnections();
  });
}

// One process serves the console on the embedded database; the scheduled fetcher joins it here.
async function main() {
  const shutdown = installShutdown();
  const root = path.resolve(__dirname, "..", "..");
  // Relative settings (./data) and the build's manifests are found from the project folder.
  process.chdir(root);
  const c = config();
  loadKeyring(); // refuse to start without a usable key, before anything is served
  const result = await migrate(c.database);
  if (result.applied.length) console.log(`database migrated: ${result.applied.join(", ")}`);
  // Next and the ORM client take seconds to load: on a first start that happens while the build runs.
  const loading = Promise.all([import("next"), import("@/lib/auth/edge"), import("@/lib/maintenance")]);
  loading.catch(() => undefined); // reported below, once the build is done
  if (!process.argv.includes("--no-build")) await buildIfNeededInBackground(root, shutdown.track);
  const [{ default: next }, { stampPeerAddress }, { startPurge }] = await loading;
  const app = next({ dev: false, dir: root, hostname: c.hostname, port: c.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    stampPeerAddress(req);
    void handle(req, res);
  });
  const purge = startPurge();
  shutdown.onStop(() => closeServer(server));
  shutdown.onStop(() => purge.stop());
  shutdown.onStop(() => app.close());
  server.once("error", (error: NodeJS.ErrnoException) => {
    console.error(
      `Mailbridge cannot start: ${error.code === "EADDRINUSE" ? `port ${c.port} on ${c.hostname} is already in use` : error.message}`,
    );
    process.exit(1);
  });
  server.listen(c.port, c.hostname, () => {
    const where = c.database.provider === "sqlite" ? c.database.file : "PostgreSQL";
    console.log(`Mailbridge is running: ${c.publicUrl} (database: ${where})`);
    console.log(`process id ${process.pid}; stop it with: kill ${process.pid}`);
  });
}

main().catch((e) => {
  if (e instanceof ConfigError || (e instanceof Error && e.name === "KeyringError")) {
    console.error(`Mailbridge cannot start: ${e.message}`);
  } else {
    console.error("Mailbridge cannot start:", e);
  }
  process.exit(1);
});
