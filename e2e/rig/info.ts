// The description of a running test rig, written by startRig() to a JSON file so that every process of a
// test run (vitest workers, Playwright, the console under test) reaches the same servers.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export type RigUser = { username: string; password: string };

export type RigClient = {
  clientId: string;
  clientSecret?: string;
  /** PEM of the private key for private_key_jwt clients */
  privateKeyPem?: string;
  keyId?: string;
  tokenEndpointAuthMethod: "client_secret_post" | "client_secret_basic" | "private_key_jwt" | "none";
  grantTypes: string[];
  redirectUris: string[];
};

export type RigInfo = {
  /** folder for this rig's state and server logs */
  dir: string;
  logDir: string;
  /** PEM file of the CA that signed every TLS certificate of the rig (servers use host 127.0.0.1 and localhost) */
  caFile: string;
  auth: {
    issuer: string;
    authorizeUrl: string;
    tokenUrl: string;
    revocationUrl: string;
    introspectionUrl: string;
    jwksUrl: string;
    /** base URL of the test-control API (revoke, expiry, key rotation, provider style) */
    controlUrl: string;
    /** Microsoft-style endpoints: `${msBase}/{tenant}/oauth2/v2.0/authorize|token` */
    msBase: string;
    /** Google-style endpoints */
    googleAuthorizeUrl: string;
    googleTokenUrl: string;
    clients: Record<string, RigClient>;
    users: Record<string, RigUser>;
    serviceAccount: { clientEmail: string; privateKeyPem: string; keyId: string; tokenUri: string };
  };
  mailboxes: { alice: string; bob: string; shared: string; [name: string]: string };
  imap: { host: string; port: number; tlsPort: number };
  pop3: { host: string; port: number; tlsPort: number };
  smtp: { host: string; submissionPort: number; smtpsPort: number; sinkDir: string };
  /** pop3NoTopTlsPort: the same POP3 double without the optional TOP command, as some older servers */
  exchange: { host: string; imapTlsPort: number; pop3TlsPort: number; pop3NoTopTlsPort: number; smtpPort: number };
  graph: { baseUrl: string };
  ews: { url: string };
  /** Dovecot config of the rig: `doveadm -c <dovecotConf> ...` works from any process (see mailbox.ts) */
  dovecotConf: string;
  /** Postfix config folder of the rig (`postfix -c <postfixConfDir>`) */
  postfixConfDir: string;
  /** server processes of the rig (Dovecot, Postfix master), killed by `cli.ts stop` */
  pids: number[];
  /** the process that started the rig and runs its in-process servers (auth server, sink, Microsoft doubles) */
  ownerPid: number;
};

export function rigInfoPath(): string {
  return process.env.MAILBRIDGE_RIG_INFO ?? path.resolve("test-results/rig.json");
}

export function rigInfo(): RigInfo {
  const file = rigInfoPath();
  // Set by the vitest global setup when it could not start the rig.
  const startError = process.env.MAILBRIDGE_RIG_ERROR;
  if (!existsSync(file)) {
    throw new Error(
      startError
        ? `the test rig did not start: ${startError}`
        : `no test rig: ${file} does not exist (start one with \`tsx e2e/rig/cli.ts start\`)`,
    );
  }
  return JSON.parse(readFileSync(file, "utf8")) as RigInfo;
}
