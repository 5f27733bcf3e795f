import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { config, ConfigError } from "@/lib/config";
import { loadKeyring } from "@/lib/crypto";
import { migrate } from "@/lib/db/migrate";
import { buildIfNeeded } from "./build-if-needed";

// One process serves the console on the embedded database; the scheduled fetcher joins it here.
async function main() {
  const c = config();
  loadKeyring(); // refuse to start without a usable key, before anything is served
  const result = await migrate(c.database);
  if (result.applied.length) console.log(`database migrated: ${result.applied.join(", ")}`);
  const root = path.resolve(__dirname, "..", "..");
  if (!process.argv.includes("--no-build")) buildIfNeeded(root);
  const app = next({ dev: false, dir: root, hostname: c.hostname, port: c.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => void handle(req, res));
  server.listen(c.port, c.hostname, () => {
    console.log(`Mailbridge is running: ${c.publicUrl} (database: ${c.database.provider === "sqlite" ? c.database.file : "PostgreSQL"})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e) => {
  if (e instanceof ConfigError || (e instanceof Error && e.name === "KeyringError")) {
    console.error(`Mailbridge cannot start: ${e.message}`);
  } else {
    console.error("Mailbridge cannot start:", e);
  }
  process.exit(1);
});
