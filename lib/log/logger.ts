import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof levels;

function write(level: Level, message: string, fields?: Record<string, unknown>) {
  let threshold: Level = "info";
  try {
    threshold = config().logLevel;
  } catch {
    // configuration errors are reported by whoever loads it; logging must still work meanwhile
  }
  if (levels[level] < levels[threshold]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => write("debug", m, f),
  info: (m: string, f?: Record<string, unknown>) => write("info", m, f),
  warn: (m: string, f?: Record<string, unknown>) => write("warn", m, f),
  error: (m: string, f?: Record<string, unknown>) => write("error", m, f),
};

/** Logs an unexpected error under a fresh id that the user can quote; returns the id. */
export function logUnexpected(where: string, error: unknown): string {
  const id = randomBytes(6).toString("hex");
  const e =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : { value: String(error) };
  write("error", `unexpected error in ${where}`, { errorId: id, error: e });
  return id;
}
