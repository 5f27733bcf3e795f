// startAuthServer(): the rig's authorization server (oidc-provider) on a free loopback port, with the users,
// clients and service account of this run, Microsoft- and Google-style endpoints, the introspection extension
// and the test-control API. State is in memory unless `persistent` (then in `<dir>`: secrets.json, tokens.json);
// the log goes to `<logDir>/auth-server.log`.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RigInfo } from "../info";
import type { IntrospectionResource } from "./audiences";
import { ControlState } from "./control-state";
import { privatePemOf, type RigIdentities } from "./identities";
import { introspect } from "./introspection";
import { buildProvider } from "./provider";
import { ROUTES, type AuthServerContext } from "./server-context";
import { createSecrets, loadOrCreateSecrets, saveSecrets } from "./saved-state";
import { TokenStore } from "./token-store";

export type AuthServer = {
  info: RigInfo["auth"];
  introspect(token: string, resource: IntrospectionResource, user?: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
};

export type AuthServerOptions = {
  dir: string;
  logDir: string;
  /** a fixed port (a free one when omitted) */
  port?: number;
  /** keep users, clients, keys, grants and tokens in `dir` across restarts */
  persistent?: boolean;
};

export async function startAuthServer(opts: AuthServerOptions): Promise<AuthServer> {
  await Promise.all([mkdir(opts.dir, { recursive: true }), mkdir(opts.logDir, { recursive: true })]);
  const logStream = createWriteStream(path.join(opts.logDir, "auth-server.log"), { flags: "a" });
  const log = (line: string) => logStream.write(`${new Date().toISOString()} ${line}\n`);
  const secretsFile = path.join(opts.dir, "secrets.json");
  const secrets = opts.persistent ? await loadOrCreateSecrets(secretsFile) : await createSecrets();
  const { identities, keys } = secrets;

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const httpServer = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

  let current: ReturnType<typeof buildProvider> | undefined;
  const install = () => {
    current = buildProvider(server);
    handle = current.callback();
  };
  const server: AuthServerContext = {
    issuer,
    identities,
    store: new TokenStore(opts.persistent ? path.join(opts.dir, "tokens.json") : undefined),
    keys,
    control: new ControlState(),
    cookieKeys: secrets.cookieKeys,
    provider: () => {
      if (!current) throw new Error("the authorization server is not ready");
      return current;
    },
    rotateKeys: async (rotation) => {
      const rotated = await keys.rotate(rotation);
      if (opts.persistent) saveSecrets(secretsFile, secrets);
      install();
      return rotated;
    },
    log,
  };
  install();
  log(`listening at ${issuer}`);

  let stopping: Promise<void> | undefined;
  return {
    info: describe(issuer, identities),
    introspect: (token, resource, user) => introspect(server, token, resource, user),
    stop() {
      stopping ??= (async () => {
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        server.store.clear();
        await new Promise<void>((resolve) => logStream.end(() => resolve()));
      })();
      return stopping;
    },
  };
}

function describe(issuer: string, identities: RigIdentities): RigInfo["auth"] {
  const { serviceAccount } = identities;
  return {
    issuer,
    authorizeUrl: `${issuer}${ROUTES.authorize}`,
    tokenUrl: `${issuer}${ROUTES.token}`,
    revocationUrl: `${issuer}${ROUTES.revocation}`,
    // append /mail, /graph or /ews (and optionally ?user=<login user>)
    introspectionUrl: `${issuer}${ROUTES.introspect}`,
    jwksUrl: `${issuer}${ROUTES.jwks}`,
    controlUrl: `${issuer}${ROUTES.control}`,
    msBase: `${issuer}${ROUTES.msBase}`,
    googleAuthorizeUrl: `${issuer}${ROUTES.googleAuthorize}`,
    googleTokenUrl: `${issuer}${ROUTES.googleToken}`,
    clients: identities.clients,
    users: identities.users,
    serviceAccount: {
      clientEmail: serviceAccount.clientEmail,
      privateKeyPem: privatePemOf(serviceAccount.keys),
      keyId: serviceAccount.keys.kid,
      tokenUri: `${issuer}${ROUTES.googleToken}`,
    },
  };
}
