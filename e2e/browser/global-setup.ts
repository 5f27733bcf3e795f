import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildIfNeeded } from "../../lib/cli/build-if-needed";
import { rigInfo } from "../rig/info";
import { consolePort, startConsole, type ConsoleServer } from "./console-server";
import { consoleInfoPath, type ConsoleInfo } from "./console-info";

export default async function globalSetup() {
  const root = path.resolve(__dirname, "..", "..");
  const results = path.join(root, "test-results");
  mkdirSync(results, { recursive: true });
  let stopRig: (() => Promise<void>) | undefined;
  if (!process.env.MAILBRIDGE_RIG_INFO) {
    const { startRig } = await import("../rig/index");
    const rig = await startRig();
    stopRig = rig.stop;
  }
  buildIfNeeded(root);
  const dataDir = path.join(results, "console-data");
  const server = await startConsole({
    port: consolePort(),
    dataDir,
    caFile: rigInfo().caFile,
    logFile: path.join(results, "console.log"),
  });
  try {
    return await seedConsole(root, server, dataDir, stopRig);
  } catch (error) {
    // A console left running would hold the port and break the next run.
    await server.stop();
    await stopRig?.();
    throw error;
  }
}

async function seedConsole(
  root: string,
  server: ConsoleServer,
  dataDir: string,
  stopRig: (() => Promise<void>) | undefined,
) {
  const info: ConsoleInfo = {
    url: server.url,
    dataDir,
    admin: { email: "admin@mailbridge.test", password: `Admin-${randomBytes(9).toString("base64url")}` },
    viewer: { email: "viewer@mailbridge.test", password: `Viewer-${randomBytes(9).toString("base64url")}` },
  };
  execFileSync(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      path.join(root, "e2e/support/seed-users.ts"),
      info.admin.email,
      info.admin.password,
      info.viewer.email,
      info.viewer.password,
    ],
    { cwd: root, env: { ...process.env, MAILBRIDGE_DATA_DIR: dataDir, DATABASE_URL: "" }, stdio: "inherit" },
  );
  writeFileSync(consoleInfoPath(), JSON.stringify(info, null, 2));
  return async () => {
    await server.stop();
    await stopRig?.();
  };
}
