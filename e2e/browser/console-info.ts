import { readFileSync } from "node:fs";
import path from "node:path";

export type Credentials = { email: string; password: string };
export type ConsoleInfo = { url: string; dataDir: string; admin: Credentials; viewer: Credentials };

export function consoleInfoPath(): string {
  return path.resolve(__dirname, "..", "..", "test-results", "e2e-console.json");
}

export function consoleInfo(): ConsoleInfo {
  return JSON.parse(readFileSync(consoleInfoPath(), "utf8")) as ConsoleInfo;
}
