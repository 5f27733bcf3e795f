// The validated configuration of an incoming source, one variant per protocol with exactly the fields that
// protocol needs. The fetcher, the connection check and the sample fetch all parse their input through
// parseSourceConfig, so a stored mailbox missing a field fails the same way everywhere, naming the field.
import { z } from "zod";
import { UserFacingError } from "@/lib/errors";
import { DEFAULT_GRAPH_BASE } from "./graph-source";
import type { OAuthToken, SourceAuth, SourceSettings } from "./source";

const required = (label: string) =>
  z
    .string({ error: `${label} is missing` })
    .trim()
    .min(1, `${label} is missing`);

const passwordAuth = z.object({
  type: z.literal("password"),
  user: required("the user name"),
  password: z.string({ error: "the password is missing" }).min(1, "the password is missing"),
});

const oauthAuth = z.object({
  type: z.literal("oauth"),
  user: required("the user name"),
  getToken: z.custom<(opts?: { forceRefresh?: boolean }) => Promise<OAuthToken>>(
    (value) => typeof value === "function",
    "the OAuth connection is missing",
  ),
});

const httpsUrl = (label: string) =>
  required(label).refine((url) => /^https:\/\/[^\s/]+/i.test(url), `${label} must be an https:// URL`);

const common = {
  folder: required("the folder"),
  ca: z.string().optional(),
  proxy: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
  tokenRenewMarginMs: z.number().int().nonnegative().optional(),
};

const mailServer = {
  ...common,
  host: required("the server"),
  port: z
    .number({ error: "the port is missing" })
    .int()
    .min(1, "the port is invalid")
    .max(65535, "the port is invalid"),
  /** tls: implicit TLS (IMAPS, POPS); starttls: a plain connection upgraded (required) */
  security: z.enum(["tls", "starttls", "none"]),
  auth: z.discriminatedUnion("type", [passwordAuth, oauthAuth], { error: "the authentication is missing" }),
};

const onlyOAuth = (service: string) =>
  z.discriminatedUnion("type", [oauthAuth], { error: `${service} accepts only OAuth` });

export const sourceConfigSchema = z.discriminatedUnion("protocol", [
  z.object({ protocol: z.literal("imap"), ...mailServer }),
  z.object({ protocol: z.literal("pop3"), ...mailServer }),
  z.object({
    protocol: z.literal("graph"),
    ...common,
    baseUrl: httpsUrl("the Graph base URL"),
    mailbox: required("the mailbox address"),
    auth: onlyOAuth("Microsoft Graph"),
  }),
  z.object({
    protocol: z.literal("ews"),
    ...common,
    url: httpsUrl("the EWS Connect URL"),
    mailbox: required("the mailbox address"),
    /** an app-only token acts as the mailbox through ExchangeImpersonation */
    impersonate: z.boolean(),
    auth: onlyOAuth("EWS"),
  }),
]);

export type MailboxSourceConfig = z.output<typeof sourceConfigSchema>;
export type SourceConfigOf<P extends MailboxSourceConfig["protocol"]> = Extract<MailboxSourceConfig, { protocol: P }>;

/** What a stored mailbox row (or the form) gives: the flat settings with the protocol's stored name, and its auth. */
export type SourceInput = Omit<SourceSettings, "protocol"> & { protocol: string; auth: SourceAuth };

/** The form field an incomplete input is reported at. */
const FIELD_OF: Record<string, string> = {
  host: "host",
  port: "port",
  baseUrl: "connectUrl",
  url: "connectUrl",
  mailbox: "emailAddresses",
  folder: "folder",
  auth: "authType",
  user: "username",
  password: "password",
  getToken: "authType",
  protocol: "protocol",
};

function variantOf(input: SourceInput): Record<string, unknown> {
  const common = {
    folder: input.folder,
    ca: input.ca,
    proxy: input.proxy,
    timeoutMs: input.timeoutMs,
    tokenRenewMarginMs: input.tokenRenewMarginMs,
    auth: input.auth,
  };
  switch (input.protocol) {
    case "imap":
    case "imaps":
    case "pop":
    case "pops":
      return {
        ...common,
        protocol: input.protocol.startsWith("imap") ? "imap" : "pop3",
        host: input.host,
        port: input.port,
        security: input.protocol.endsWith("s") ? "tls" : input.startTls ? "starttls" : "none",
      };
    case "graph":
      return { ...common, protocol: "graph", baseUrl: input.connectUrl || DEFAULT_GRAPH_BASE, mailbox: input.mailbox };
    case "ews":
      return {
        ...common,
        protocol: "ews",
        url: input.connectUrl ?? "",
        mailbox: input.mailbox,
        impersonate: input.impersonate ?? false,
      };
    default:
      return { protocol: input.protocol };
  }
}

/** Validates the input into the protocol's configuration; an incomplete one names its first missing field. */
export function parseSourceConfig(input: SourceInput): MailboxSourceConfig {
  const parsed = sourceConfigSchema.safeParse(variantOf(input));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue.path.at(-1) ?? "protocol");
  const message =
    issue.code === "invalid_union" && key === "protocol"
      ? `the protocol "${input.protocol}" is unknown`
      : issue.message;
  const field = FIELD_OF[key] ?? key;
  throw new UserFacingError(`The mailbox settings are incomplete: ${message}.`, {
    field,
    fieldErrors: { [field]: message },
  });
}
