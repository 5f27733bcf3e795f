// Test-only helpers for the Microsoft doubles' unit tests: a fake introspection that follows the rig contract
// (audiences per resource, delegates, app-only tokens), a fake IMAP backend, an HTTPS client trusting the
// rig CA, and one function that starts the doubles on an in-memory mail store.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureRigTls } from "../tls";
import type { Introspect } from "./access";
import type { ImapBackend } from "./imap-proxy";
import { startMicrosoftDoubles, type MicrosoftDoubles } from "./index";
import { MemoryMailStore } from "./memory-mail-store";

export const ALICE = "alice@rig.test";
export const BOB = "bob@rig.test";
export const SHARED = "shared@rig.test";
export const DELEGATES: Record<string, string[]> = { [SHARED]: [ALICE] };

const AUDIENCES = {
  mail: ["https://outlook.office.com", "https://mail.google.com/", "urn:rig:mail"],
  graph: ["https://graph.microsoft.com"],
  ews: ["https://outlook.office.com"],
};

export type FakeAuth = {
  introspect: Introspect;
  /** a JWT-shaped token; user null = app-only (client credentials) */
  issue(opts: { user: string | null; aud: string; expiresIn?: number }): string;
  revoke(token: string): void;
};

export function fakeAuth(delegates: Record<string, string[]> = DELEGATES): FakeAuth {
  const issued = new Set<string>();
  return {
    issue({ user, aud, expiresIn = 3600 }) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: "https://auth.rig.test",
        sub: user ?? "app-client",
        aud,
        iat: now,
        exp: now + expiresIn,
        client_id: "rig-client",
        scope: "test",
      };
      if (user) Object.assign(claims, { email: user, preferred_username: user });
      else Object.assign(claims, { roles: ["full_access_as_app"], azp: "rig-client" });
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const token = `${encode({ alg: "RS256", typ: "JWT", kid: "test" })}.${encode(claims)}.${randomBytes(16).toString("base64url")}`;
      issued.add(token);
      return token;
    },
    revoke(token) {
      issued.delete(token);
    },
    async introspect(token, resource, user) {
      if (!issued.has(token)) return { active: false };
      const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
      if ((claims.exp as number) * 1000 <= Date.now() || !AUDIENCES[resource].includes(claims.aud as string))
        return { active: false };
      const own = (claims.email as string | undefined) ?? null;
      const login = user?.toLowerCase();
      const mayOpen = login !== undefined && (own === null || own === login || (delegates[login] ?? []).includes(own));
      return {
        active: true,
        username: mayOpen ? login : (own ?? undefined),
        sub: claims.sub,
        aud: claims.aud,
        scope: claims.scope,
        exp: claims.exp,
        client_id: claims.client_id,
      };
    },
  };
}

/** An IMAP server standing in for Dovecot behind the Exchange IMAP proxy: accepts any login, answers NOOP/SELECT. */
export function fakeImapBackend(): { backend: ImapBackend; logins: string[] } {
  const logins: string[] = [];
  const backend: ImapBackend = async (mailbox) => {
    logins.push(mailbox);
    const [ours, theirs] = await socketPair();
    let buffer = "";
    theirs.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const [tag, command = ""] = buffer.slice(0, end).split(" ");
        buffer = buffer.slice(end + 2);
        if (command.toUpperCase() === "SELECT")
          theirs.write(`* 0 EXISTS\r\n${tag} OK [READ-WRITE] SELECT completed (backend of ${mailbox}).\r\n`);
        else if (command.toUpperCase() === "LOGOUT") theirs.end(`* BYE backend\r\n${tag} OK LOGOUT completed.\r\n`);
        else theirs.write(`${tag} OK ${command} completed (backend of ${mailbox}).\r\n`);
      }
    });
    theirs.on("error", () => undefined);
    return { socket: ours, leftover: Buffer.alloc(0) };
  };
  return { backend, logins };
}

async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  const [theirs] = await Promise.all([accepted, new Promise((resolve) => client.once("connect", resolve))]);
  server.close();
  return [client, theirs];
}

export type TestDoubles = {
  doubles: MicrosoftDoubles;
  store: MemoryMailStore;
  auth: FakeAuth;
  ca: string;
  sinkDir: string;
  imapLogins: string[];
  stop(): Promise<void>;
};

export async function startTestDoubles(): Promise<TestDoubles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ms-doubles-"));
  const tls = await ensureRigTls(dir);
  const store = new MemoryMailStore([ALICE, BOB, SHARED]);
  const auth = fakeAuth();
  const imap = fakeImapBackend();
  const sinkDir = path.join(dir, "sink");
  const doubles = await startMicrosoftDoubles({
    dir,
    logDir: path.join(dir, "logs"),
    tls: { key: tls.keyPem, cert: tls.certPem },
    introspect: auth.introspect,
    dovecotConf: "/nonexistent/dovecot.conf",
    imap: { host: "127.0.0.1", port: 1, tlsPort: 1 },
    pop3: { host: "127.0.0.1", port: 1, tlsPort: 1 },
    smtp: { host: "127.0.0.1", submissionPort: 1 },
    sinkDir,
    store,
    imapBackend: imap.backend,
    log: () => undefined,
  });
  return {
    doubles,
    store,
    auth,
    ca: tls.caPem,
    sinkDir,
    imapLogins: imap.logins,
    async stop() {
      await doubles.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type HttpsResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
};

export function httpsRequest(
  url: string,
  opts: { ca: string; method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? "GET", ca: opts.ca, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8") });
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Sent mail the doubles wrote to the sink folder: envelope and raw message, oldest first. */
export async function sentMail(sinkDir: string): Promise<{ envelope: { from: string; to: string[] }; raw: string }[]> {
  const names = (await readdir(sinkDir).catch(() => [] as string[])).filter((name) => name.endsWith(".eml")).sort();
  return Promise.all(
    names.map(async (name) => ({
      envelope: JSON.parse(await readFile(path.join(sinkDir, name.replace(/\.eml$/, ".json")), "utf8")) as {
        from: string;
        to: string[];
      },
      raw: await readFile(path.join(sinkDir, name), "utf8"),
    })),
  );
}

export function sampleMessage(subject: string, opts: { from?: string; to?: string; body?: string } = {}): string {
  return [
    `From: Sender <${opts.from ?? "customer@example.org"}>`,
    `To: ${opts.to ?? ALICE}`,
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(6).toString("hex")}@example.org>`,
    "Date: Mon, 01 Jan 2024 10:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    opts.body ?? `Body of ${subject}`,
    "",
  ].join("\r\n");
}

export function xoauth2(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
}
