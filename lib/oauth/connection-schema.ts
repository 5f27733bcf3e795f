// The one schema of the OAuth fields, used by the client form (errors at the field), by the mailbox forms that
// embed the fields and by the server when a connection is saved. Secrets are write-only: blank keeps the stored.
import { z } from "zod";
import { isLineSafe, LINE_BREAK_MESSAGE } from "@/lib/net/client";
import { PRESETS, type GrantType } from "./presets";

export const GRANT_TYPES = [
  "authorization_code",
  "client_credentials",
  "password",
  "jwt_bearer",
  "refresh_token",
] as const;
export const CLIENT_AUTH_METHODS = ["client_secret_post", "client_secret_basic", "private_key_jwt", "none"] as const;
export const CLOUDS = ["global", "usgov", "china"] as const;

export const GRANT_LABELS: Record<GrantType, string> = {
  authorization_code: "Authorization code (interactive sign-in)",
  client_credentials: "Client credentials (app-only)",
  password: "Resource-owner password (user name + password)",
  jwt_bearer: "JWT bearer (service account)",
  refresh_token: "Refresh token pasted by the administrator",
};

export const CLIENT_AUTH_LABELS: Record<(typeof CLIENT_AUTH_METHODS)[number], string> = {
  client_secret_post: "Client secret in the request body (client_secret_post)",
  client_secret_basic: "Client secret as HTTP Basic (client_secret_basic)",
  private_key_jwt: "Signed JWT with a private key (private_key_jwt)",
  none: "None (public client)",
};

export const CLOUD_LABELS: Record<(typeof CLOUDS)[number], string> = {
  global: "Global (login.microsoftonline.com)",
  usgov: "US Government (login.microsoftonline.us)",
  china: "China, operated by 21Vianet (login.chinacloudapi.cn)",
};

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

// Credentials travel to these URLs: plain http only to a server on this machine (a local test server).
function plainHttpToElsewhere(v: string): boolean {
  try {
    const url = new URL(v);
    return url.protocol === "http:" && !LOOPBACK_HOST.test(url.hostname);
  } catch {
    return false;
  }
}

const httpUrl = (label: string) =>
  z
    .string()
    .trim()
    .max(2000)
    .refine(
      (v) => v === "" || (/^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v)),
      `Enter the ${label} as an https:// URL`,
    )
    .refine(
      (v) => !plainHttpToElsewhere(v),
      `The ${label} must use https:// (http:// only for a server on this machine)`,
    )
    .default("");

const PEM_KEY = /^-----BEGIN (RSA |EC )?PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END (RSA |EC )?PRIVATE KEY-----$/;

/** A PEM block whose body is base64 of a DER sequence: what a private key file looks like. */
function looksLikePrivateKey(v: string): boolean {
  const body = PEM_KEY.exec(v)?.[2]?.replace(/\s+/g, "");
  if (!body || body.length < 64 || body.length % 4 !== 0) return false;
  try {
    return atob(body.slice(0, 8)).charCodeAt(0) === 0x30;
  } catch {
    return false;
  }
}

/** YYYY-MM-DD that names a real day (no 2026-02-31) in a plausible range for a secret's expiry. */
function isPlausibleDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const year = Number(m[1]);
  if (year < 2000 || year > 2199) return false;
  const date = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === v;
}

export const oauthFieldsSchema = z
  .object({
    /** set when editing an existing connection */
    connectionId: z.string().optional(),
    /** a stored application picked in the form: the connection uses it as it is */
    applicationId: z.string().optional(),
    preset: z.enum(PRESETS, "Choose a provider"),
    cloud: z.enum(CLOUDS).default("global"),
    tenant: z.string().trim().max(200).default(""),
    grantType: z.enum(GRANT_TYPES),
    clientId: z.string().trim().max(500).default(""),
    /** write-only: blank keeps the stored secret */
    clientSecret: z.string().trim().max(2000).default(""),
    clientAuthMethod: z.enum(CLIENT_AUTH_METHODS).default("client_secret_post"),
    /** write-only PEM (PKCS#8): blank keeps the stored key */
    privateKey: z.string().trim().max(20000).default(""),
    privateKeyId: z.string().trim().max(200).default(""),
    authorizeUrl: httpUrl("Authorize URL"),
    tokenUrl: httpUrl("Access Token URL"),
    revocationUrl: httpUrl("Revocation URL"),
    issuer: httpUrl("Issuer"),
    scope: z.string().trim().max(2000).default(""),
    /** ROPC user name; JWT bearer: the mailbox to impersonate */
    subject: z.string().trim().max(320).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
    /** ROPC password, write-only */
    password: z.string().max(500).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
    /** pasted refresh token, write-only */
    refreshToken: z.string().trim().max(10000).default(""),
    tokenExpiryMarginSec: z.coerce
      .number()
      .int("Enter whole seconds")
      .min(0, "At least 0 seconds")
      .max(3600, "At most 3600 seconds")
      .default(300),
    secretExpiresOn: z
      .string()
      .trim()
      .refine((v) => v === "" || isPlausibleDate(v), "Enter a real date between 2000 and 2199 (YYYY-MM-DD)")
      .default(""),
    /** the mailbox the consent is for (login_hint); the mailbox forms fill it from their address */
    loginHint: z.string().trim().max(320).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (!v.clientId)
      issue(
        "clientId",
        v.grantType === "jwt_bearer"
          ? "Enter the service account's client email (or paste its JSON key)"
          : "Enter the Client ID",
      );
    if (!v.tokenUrl) issue("tokenUrl", "Enter the Access Token URL");
    if (v.grantType === "authorization_code" && !v.authorizeUrl)
      issue("authorizeUrl", "Enter the Authorize URL (the interactive sign-in needs it)");
    if (v.grantType === "password" && !v.subject) issue("subject", "Enter the user name to sign in with");
    if (v.grantType === "jwt_bearer" && !v.subject) issue("subject", "Enter the mailbox to impersonate");
    if (v.privateKey && !looksLikePrivateKey(v.privateKey))
      issue("privateKey", "Paste the private key in PEM form (-----BEGIN PRIVATE KEY-----)");
    if (
      v.preset.startsWith("microsoft") &&
      v.grantType === "client_credentials" &&
      v.scope &&
      !/\/\.default$/.test(v.scope)
    ) {
      issue("scope", "App-only tokens need a scope ending in /.default, e.g. https://outlook.office365.com/.default");
    }
  });

export type OAuthFieldsInput = z.input<typeof oauthFieldsSchema>;
export type OAuthFieldsValues = z.output<typeof oauthFieldsSchema>;

/** What the form shows for a stored connection: never a secret, only whether one is stored. */
export type OAuthFieldsForEdit = Omit<
  OAuthFieldsValues,
  "clientSecret" | "privateKey" | "password" | "refreshToken"
> & {
  connectionId: string;
  applicationId: string;
  applicationName: string;
  /** how many other connections use the application: its fields are then changed on the application only */
  applicationShared: number;
  /** a saved change waits for a successful consent; the fields show it */
  pendingChange: boolean;
  hasClientSecret: boolean;
  hasPrivateKey: boolean;
  hasPassword: boolean;
  hasRefreshToken: boolean;
};

/** A Google service-account JSON key → the fields it fills (client email, key, key id, token URL). */
export function parseServiceAccountKey(
  text: string,
): { clientId: string; privateKey: string; privateKeyId: string; tokenUrl: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: "This is not a JSON key file: paste the whole file as downloaded from Google Cloud." };
  }
  const key = parsed as Record<string, unknown>;
  if (key?.type !== "service_account" || typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    return { error: "The JSON is not a service-account key (type, client_email and private_key are missing)." };
  }
  return {
    clientId: key.client_email,
    privateKey: key.private_key,
    privateKeyId: typeof key.private_key_id === "string" ? key.private_key_id : "",
    tokenUrl: typeof key.token_uri === "string" ? key.token_uri : "https://oauth2.googleapis.com/token",
  };
}
