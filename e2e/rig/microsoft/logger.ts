// One log file per double under the rig's log folder. Callers log token prefixes only, never whole tokens.
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";

export type Logger = (line: string) => void;

export function fileLogger(logDir: string, name: string): Logger {
  mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, `${name}.log`);
  return (line) => appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

export const silentLogger: Logger = () => undefined;
