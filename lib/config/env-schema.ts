import { z } from "zod";

const url = (what: string) =>
  z
    .string()
    .url(`must be a URL (${what})`)
    .refine((v) => /^https?:\/\//.test(v), `must start with http:// or https:// (${what})`);

/** Every environment variable Mailbridge reads, with its meaning. `.env.example` lists the same. */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOSTNAME: z.string().min(1).default("0.0.0.0"),
  MAILBRIDGE_PUBLIC_URL: url("the address administrators use to reach the console").optional(),
  MAILBRIDGE_DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .refine(
      (v) => /^(postgres|postgresql):\/\//.test(v) || v.startsWith("file:"),
      "must be postgres://… / postgresql://… or file:<path to the SQLite file>",
    )
    .optional(),
  MAILBRIDGE_SECRET_KEY: z.string().min(1).optional(),
  MAILBRIDGE_SECRET_KEY_FILE: z.string().min(1).optional(),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  MAILBRIDGE_FETCHER: z.enum(["embedded", "off"]).default("embedded"),
  /** how many processes serve the console (npm start); unset: one per available CPU core */
  MAILBRIDGE_WEB_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  MAILBRIDGE_TRUSTED_PROXIES: z
    .string()
    .refine(
      (v) => v.split(",").every((entry) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry.trim())),
      "must be a comma-separated list of IP addresses or CIDR ranges (the reverse proxies in front of the console)",
    )
    .optional(),
  MAILBRIDGE_FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  MAILBRIDGE_FETCH_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  MAILBRIDGE_FETCH_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  MAILBRIDGE_FETCH_MAX_BACKOFF_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  MAILBRIDGE_EXTRACT_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  MAILBRIDGE_EXTRACT_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** test hook: "<point>:<n>" kills the process with SIGKILL at the n-th time the fetcher passes that point */
  MAILBRIDGE_TEST_CRASH_AT: z
    .string()
    .regex(/^[a-z-]+:\d+$/, "must be <point>:<count>")
    .optional(),
  MAILBRIDGE_HTTPS_PROXY: url("proxy for outbound HTTP and mail connections").optional(),
  MAILBRIDGE_OUTBOUND_NETWORKS: z.enum(["public", "private", "loopback"]).default("public"),
  MAILBRIDGE_EXTRA_CA_FILE: z.string().min(1).optional(),
  MAILBRIDGE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  MAILBRIDGE_DEBUG_LOG_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** raw-mail files no ledger row references are deleted once this old (hours; far longer than any fetch runs) */
  MAILBRIDGE_ORPHAN_FILE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
});

export type Env = z.infer<typeof envSchema>;
