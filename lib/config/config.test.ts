import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config";

describe("configuration", () => {
  it("defaults to the embedded SQLite database under ./data", () => {
    const c = parseConfig({});
    expect(c.database).toEqual({ provider: "sqlite", file: path.resolve("data/mailbridge.db") });
    expect(c.publicUrl).toBe("http://localhost:3000");
    expect(c.fetcher).toBe("embedded");
  });

  it("selects PostgreSQL for postgres:// and postgresql:// URLs", () => {
    expect(parseConfig({ DATABASE_URL: "postgres://u:p@127.0.0.1/db" }).database.provider).toBe("postgresql");
    expect(parseConfig({ DATABASE_URL: "postgresql://u@127.0.0.1/db" }).database.provider).toBe("postgresql");
    expect(parseConfig({ DATABASE_URL: "file:/tmp/x.db" }).database).toEqual({ provider: "sqlite", file: "/tmp/x.db" });
  });

  it("serves with one process per available core unless told how many", () => {
    expect(parseConfig({}).webProcesses).toBe(Math.max(1, os.availableParallelism()));
    expect(parseConfig({ MAILBRIDGE_WEB_PROCESSES: "3" }).webProcesses).toBe(3);
    expect(() => parseConfig({ MAILBRIDGE_WEB_PROCESSES: "0" })).toThrow(/MAILBRIDGE_WEB_PROCESSES/);
    expect(() => parseConfig({ MAILBRIDGE_WEB_PROCESSES: "two" })).toThrow(/MAILBRIDGE_WEB_PROCESSES/);
  });

  it("names the bad variable", () => {
    expect(() => parseConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be postgres/);
    expect(() => parseConfig({ PORT: "99999" })).toThrow(/PORT/);
    expect(() => parseConfig({ MAILBRIDGE_PUBLIC_URL: "ftp://x" })).toThrow(/MAILBRIDGE_PUBLIC_URL/);
    expect(() => parseConfig({ AUTH_SECRET: "short" })).toThrow(/AUTH_SECRET: must be at least 32/);
    expect(() => parseConfig({ MAILBRIDGE_SECRET_KEY: "a", MAILBRIDGE_SECRET_KEY_FILE: "/k" })).toThrow(ConfigError);
  });

  it("treats empty variables as unset and strips a trailing slash from the public URL", () => {
    expect(parseConfig({ DATABASE_URL: "", MAILBRIDGE_PUBLIC_URL: "https://mail.example.com/" }).publicUrl).toBe(
      "https://mail.example.com",
    );
  });

  it("parses fetched mail on one thread fewer than the machine has cores (at least one), unless told", async () => {
    const { availableParallelism } = await import("node:os");
    expect(parseConfig({}).fetch.extractWorkers).toBe(Math.max(1, availableParallelism() - 1));
    expect(parseConfig({ MAILBRIDGE_EXTRACT_WORKERS: "3" }).fetch.extractWorkers).toBe(3);
    expect(parseConfig({}).fetch.extractDeadlineMs).toBe(30_000);
    expect(() => parseConfig({ MAILBRIDGE_EXTRACT_WORKERS: "0" })).toThrow(/MAILBRIDGE_EXTRACT_WORKERS/);
  });

  it("lists every variable in .env.example", async () => {
    const { readFileSync } = await import("node:fs");
    const { envSchema } = await import("./env-schema");
    const example = readFileSync(path.resolve(".env.example"), "utf8");
    for (const name of Object.keys(envSchema.shape)) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, "m"));
  });
});
