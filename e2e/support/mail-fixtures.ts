// Helpers for the incoming-mail tests against the rig: tokens by the password grant, test mail in a folder of
// its own (so tests running side by side never see each other's mail), and reading a stream to the end.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { getToken } from "@/e2e/rig/auth-client";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import type { IncomingSource, OAuthToken, SourceAuth, SourceSettings } from "@/lib/mail/incoming";
import { createSource } from "@/lib/mail/incoming/create-source";
import { parseSourceConfig } from "@/lib/mail/incoming/source-config";

export const SCOPES = {
  mail: "imap pop",
  outlookImap: "https://outlook.office.com/IMAP.AccessAsUser.All",
  outlookPop: "https://outlook.office.com/POP.AccessAsUser.All",
  ews: "https://outlook.office.com/EWS.AccessAsUser.All",
  graph: "https://graph.microsoft.com/Mail.ReadWrite",
} as const;

export function testRig(): RigInfo & { ca: string } {
  const rig = rigInfo();
  return { ...rig, ca: readFileSync(rig.caFile, "utf8") };
}

/** Settings of a Graph or EWS source on the rig's doubles, for alice's mailbox unless told. */
export function microsoftSettings(
  rig: RigInfo & { ca: string },
  kind: "graph" | "ews",
  folder: string,
  overrides: Partial<SourceSettings> = {},
): SourceSettings {
  return {
    protocol: kind,
    startTls: false,
    host: "",
    port: 443,
    connectUrl: kind === "graph" ? rig.graph.baseUrl : rig.ews.url,
    mailbox: rig.auth.users.alice.username,
    folder,
    ca: rig.ca,
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** The adapter for flat test settings, built through the validated configuration the app builds it from. */
export function sourceFrom(settings: SourceSettings, auth: SourceAuth): IncomingSource {
  return createSource(parseSourceConfig({ ...settings, auth }));
}

export type TokenLog = { tokens: string[]; forced: number };

/** An OAuth auth whose tokens come from the rig by ROPC, for `tokenUser`, logging in as `loginUser`. */
export function oauthFromRig(
  rig: RigInfo,
  opts: { tokenUser: string; loginUser?: string; scope: string; client?: string },
  log: TokenLog = { tokens: [], forced: 0 },
): Extract<SourceAuth, { type: "oauth" }> & { log: TokenLog } {
  const loginUser = opts.loginUser ?? rig.auth.users[opts.tokenUser]?.username ?? opts.tokenUser;
  return {
    type: "oauth",
    user: loginUser,
    log,
    async getToken(request?: { forceRefresh?: boolean }): Promise<OAuthToken> {
      if (request?.forceRefresh) log.forced++;
      const response = await getToken(rig, {
        user: opts.tokenUser,
        scope: opts.scope,
        client: opts.client ? rig.auth.clients[opts.client] : undefined,
      });
      log.tokens.push(response.access_token);
      return { accessToken: response.access_token, expiresAt: new Date(Date.now() + response.expires_in * 1000) };
    },
  };
}

export function passwordFromRig(rig: RigInfo, user: string): SourceAuth & { type: "password" } {
  const account = rig.auth.users[user];
  return { type: "password", user: account.username, password: account.password };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export function testMail(
  subject: string,
  opts: { body?: string; from?: string; attachment?: { name: string; content: string } } = {},
): string {
  const id = `<${randomBytes(8).toString("hex")}@test.mailbridge>`;
  const head = [
    `From: ${opts.from ?? "Customer <customer@example.org>"}`,
    "To: support@rig.test",
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
  ];
  const body = opts.body ?? `Hello,\r\nthis is ${subject}.\r\n.line starting with a dot\r\n`;
  if (!opts.attachment) return [...head, "Content-Type: text/plain; charset=utf-8", "", body].join("\r\n");
  const boundary = `b-${randomBytes(6).toString("hex")}`;
  return [
    ...head,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    body,
    `--${boundary}`,
    `Content-Type: text/plain; name="${opts.attachment.name}"`,
    `Content-Disposition: attachment; filename="${opts.attachment.name}"`,
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from(opts.attachment.content).toString("base64"),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

/** Delivers mails with the given subjects, in order, into a folder (created when missing). */
export async function deliverMails(rig: RigInfo, user: string, folder: string, subjects: string[]): Promise<void> {
  if (folder.toUpperCase() !== "INBOX") await ensureFolder(rig, user, folder);
  for (const subject of subjects) await deliver(rig, user, testMail(subject), folder);
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** An app-only (client credentials) auth from the rig's app-only client, logging in as `mailbox`. */
export function appOnlyFromRig(
  rig: RigInfo,
  opts: { mailbox: string; scope: string },
): Extract<SourceAuth, { type: "oauth" }> {
  const client = rig.auth.clients.appOnly;
  return {
    type: "oauth",
    user: opts.mailbox,
    async getToken(): Promise<OAuthToken> {
      const response = await fetch(rig.auth.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          scope: opts.scope,
          client_id: client.clientId,
          client_secret: client.clientSecret ?? "",
        }),
      });
      const body = (await response.json()) as { access_token?: string; expires_in?: number; error?: string };
      if (!body.access_token) throw new Error(`client credentials grant failed: ${body.error}`);
      return { accessToken: body.access_token, expiresAt: new Date(Date.now() + (body.expires_in ?? 3600) * 1000) };
    },
  };
}
