import os from "node:os";
import path from "node:path";
import { envSchema } from "./env-schema";

export type DatabaseConfig = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

export type Config = {
  env: "development" | "production" | "test";
  port: number;
  hostname: string;
  publicUrl: string;
  dataDir: string;
  database: DatabaseConfig;
  secretKey: { inline?: string; file?: string };
  authSecret?: string;
  fetcher: "embedded" | "off";
  /** Processes `npm start` serves the console with (they share the port); the background jobs run in one. */
  webProcesses: number;
  fetch: {
    concurrency: number;
    batchSize: number;
    leaseSeconds: number;
    maxBackoffMinutes: number;
    /** threads parsing fetched mail, and how long one mail may take */
    extractWorkers: number;
    extractDeadlineMs: number;
    crashAt?: string;
  };
  httpsProxy?: string;
  /** Peers whose X-Forwarded-For is believed (IP addresses or CIDR ranges); empty: nobody's. */
  trustedProxies: string[];
  /**
   * Which addresses mail servers and OAuth endpoints may have: public only (default), also private networks,
   * also this machine (loopback; the test rig and the demo). Link-local/metadata addresses never.
   */
  outboundNetworks: "public" | "private" | "loopback";
  extraCaFile?: string;
  logLevel: "debug" | "info" | "warn" | "error";
  debugLogDays: number;
  /** stored mail files no row references are deleted once older than this (an orphan of a crash) */
  orphanFileHours: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates an environment (process.env by default) into the typed configuration. */
export function parseConfig(source: Record<string, string | undefined>): Config {
  const blankless = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(blankless);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.MAILBRIDGE_SECRET_KEY && e.MAILBRIDGE_SECRET_KEY_FILE) {
    throw new ConfigError(["MAILBRIDGE_SECRET_KEY and MAILBRIDGE_SECRET_KEY_FILE: set one, not both"]);
  }
  const dataDir = path.resolve(e.MAILBRIDGE_DATA_DIR);
  const database: DatabaseConfig =
    e.DATABASE_URL && !e.DATABASE_URL.startsWith("file:")
      ? { provider: "postgresql", url: e.DATABASE_URL }
      : {
          provider: "sqlite",
          file: path.resolve(e.DATABASE_URL ? e.DATABASE_URL.slice(5) : path.join(dataDir, "mailbridge.db")),
        };
  const publicUrl = (e.MAILBRIDGE_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    hostname: e.HOSTNAME,
    publicUrl,
    dataDir,
    database,
    secretKey: { inline: e.MAILBRIDGE_SECRET_KEY, file: e.MAILBRIDGE_SECRET_KEY_FILE },
    authSecret: e.AUTH_SECRET,
    fetcher: e.MAILBRIDGE_FETCHER,
    webProcesses: e.MAILBRIDGE_WEB_PROCESSES ?? Math.max(1, os.availableParallelism()),
    fetch: {
      concurrency: e.MAILBRIDGE_FETCH_CONCURRENCY,
      batchSize: e.MAILBRIDGE_FETCH_BATCH_SIZE,
      leaseSeconds: e.MAILBRIDGE_FETCH_LEASE_SECONDS,
      maxBackoffMinutes: e.MAILBRIDGE_FETCH_MAX_BACKOFF_MINUTES,
      // The main thread fetches and commits; the other cores parse.
      extractWorkers: e.MAILBRIDGE_EXTRACT_WORKERS ?? Math.max(1, os.availableParallelism() - 1),
      extractDeadlineMs: e.MAILBRIDGE_EXTRACT_DEADLINE_SECONDS * 1000,
      crashAt: e.MAILBRIDGE_TEST_CRASH_AT,
    },
    httpsProxy: e.MAILBRIDGE_HTTPS_PROXY,
    trustedProxies: (e.MAILBRIDGE_TRUSTED_PROXIES ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean),
    outboundNetworks: e.MAILBRIDGE_OUTBOUND_NETWORKS,
    extraCaFile: e.MAILBRIDGE_EXTRA_CA_FILE,
    logLevel: e.MAILBRIDGE_LOG_LEVEL,
    debugLogDays: e.MAILBRIDGE_DEBUG_LOG_DAYS,
    orphanFileHours: e.MAILBRIDGE_ORPHAN_FILE_HOURS,
  };
}

let cached: Config | undefined;

/** The process's configuration, validated once. This module is the only reader of process.env. */
export function config(): Config {
  if (!cached) {
    cached = parseConfig(process.env);
    // Auth.js builds its redirects from AUTH_URL; without it, from the address Next listens on (0.0.0.0).
    process.env.AUTH_URL = `${cached.publicUrl}/api/auth`;
  }
  return cached;
}

/** For tests and CLIs that change the environment before first use. */
export function resetConfigForTests(): void {
  cached = undefined;
}
