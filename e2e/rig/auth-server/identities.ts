// Who exists at the rig's authorization server: users with passwords, the mailbox delegation, the OAuth
// clients (one per flow and client-authentication method) and the Google-style service account.
// Everything secret is generated per run.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from "node:crypto";
import { promisify } from "node:util";
import type { RigClient, RigUser } from "../info";

export const RIG_DOMAIN = "rig.test";

export const USERS = {
  alice: `alice@${RIG_DOMAIN}`,
  bob: `bob@${RIG_DOMAIN}`,
  shared: `shared@${RIG_DOMAIN}`,
} as const;

/** mailbox → users who may open it (alice is a delegate of the shared mailbox, bob is not) */
export const DELEGATES: Record<string, string[]> = { [USERS.shared]: [USERS.alice] };

/** The console's callback path; any loopback port is accepted (RFC 8252 native-client loopback rule). */
export const CALLBACK_PATH = "/api/oauth/callback";
const LOOPBACK_REDIRECT_URIS = [`http://127.0.0.1${CALLBACK_PATH}`, `http://localhost${CALLBACK_PATH}`];

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const PASSWORD_GRANT = "password";

export type RsaKeyPair = { privateKey: KeyObject; publicKey: KeyObject; kid: string };

export type ClientRegistration = RigClient & {
  /** Google-style "Testing" app: its refresh tokens die after 7 days (refresh_token_expires_in in responses) */
  googleTesting?: boolean;
  /**
   * An outside IdP's habit: its refresh tokens record the grant without `offline_access` (the response's
   * `scope` still lists it), and a refresh request naming a scope the token does not record is refused with
   * `invalid_scope: refresh token missing requested scope`.
   */
  narrowRefreshScope?: boolean;
  publicJwk?: Record<string, unknown>;
};

export type RigIdentities = {
  users: Record<keyof typeof USERS, RigUser>;
  clients: Record<string, ClientRegistration>;
  serviceAccount: { clientEmail: string; keys: RsaKeyPair };
};

const generateRsa = promisify(generateKeyPair);

export async function generateRsaKeyPair(kidPrefix: string): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateRsa("rsa", { modulusLength: 2048 });
  return { privateKey, publicKey, kid: `${kidPrefix}-${randomBytes(6).toString("hex")}` };
}

export function rsaKeyPairFromPem(privateKeyPem: string, kid: string): RsaKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  return { privateKey, publicKey: createPublicKey(privateKey), kid };
}

export function publicJwkOf(pair: RsaKeyPair): Record<string, unknown> {
  return { ...pair.publicKey.export({ format: "jwk" }), kid: pair.kid, alg: "RS256", use: "sig" };
}

export function privatePemOf(pair: RsaKeyPair): string {
  return pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

const secret = () => randomBytes(24).toString("base64url");

export async function createIdentities(): Promise<RigIdentities> {
  const [clientKeys, serviceAccountKeys] = await Promise.all([generateRsaKeyPair("client"), generateRsaKeyPair("sa")]);
  const users = Object.fromEntries(
    Object.entries(USERS).map(([name, username]) => [
      name,
      { username, password: `${name}-pw-${randomBytes(6).toString("hex")}` },
    ]),
  ) as RigIdentities["users"];

  const delegated = ["authorization_code", "refresh_token"];
  const clients: Record<string, ClientRegistration> = {
    /** the console's usual registration: delegated + app-only + ROPC, secret in the body */
    secretPost: {
      clientId: "rig-secret-post",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: [...delegated, "client_credentials", PASSWORD_GRANT],
      redirectUris: LOOPBACK_REDIRECT_URIS,
    },
    secretBasic: {
      clientId: "rig-secret-basic",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_basic",
      grantTypes: [...delegated, "client_credentials", PASSWORD_GRANT],
      redirectUris: LOOPBACK_REDIRECT_URIS,
    },
    privateKeyJwt: {
      clientId: "rig-private-key-jwt",
      privateKeyPem: privatePemOf(clientKeys),
      keyId: clientKeys.kid,
      publicJwk: publicJwkOf(clientKeys),
      tokenEndpointAuthMethod: "private_key_jwt",
      grantTypes: [...delegated, "client_credentials"],
      redirectUris: LOOPBACK_REDIRECT_URIS,
    },
    /** public client (no secret): PKCE only */
    public: {
      clientId: "rig-public",
      tokenEndpointAuthMethod: "none",
      grantTypes: delegated,
      redirectUris: LOOPBACK_REDIRECT_URIS,
    },
    /** app-only (Microsoft client credentials) */
    appOnly: {
      clientId: "rig-app-only",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: ["client_credentials"],
      redirectUris: [],
    },
    /** resource-owner password credentials (Microsoft ROPC) */
    ropc: {
      clientId: "rig-ropc",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: [PASSWORD_GRANT, "refresh_token"],
      redirectUris: [],
    },
    /** ROPC for tests that shorten token lifetimes: its own client, so no other test's tokens change */
    ropcExpiry: {
      clientId: "rig-ropc-expiry",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: [PASSWORD_GRANT, "refresh_token"],
      redirectUris: [],
    },
    /** ROPC for tests that slow the token endpoint down or count its requests: nobody else's requests interfere */
    ropcSlow: {
      clientId: "rig-ropc-slow",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: [PASSWORD_GRANT, "refresh_token"],
      redirectUris: [],
    },
    /** the same for the test with several processes, which runs beside the other */
    ropcProcesses: {
      clientId: "rig-ropc-processes",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: [PASSWORD_GRANT, "refresh_token"],
      redirectUris: [],
    },
    /** an outside IdP whose refresh tokens record a narrower scope than was requested (see narrowRefreshScope) */
    narrowScope: {
      clientId: "rig-narrow-scope",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: [...delegated, PASSWORD_GRANT],
      redirectUris: LOOPBACK_REDIRECT_URIS,
      narrowRefreshScope: true,
    },
    /** Google web application in production */
    google: {
      clientId: "rig-google.apps.googleusercontent.com",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: delegated,
      redirectUris: LOOPBACK_REDIRECT_URIS,
    },
    /** Google web application whose consent screen is in "Testing" */
    googleTesting: {
      clientId: "rig-google-testing.apps.googleusercontent.com",
      clientSecret: secret(),
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: delegated,
      redirectUris: LOOPBACK_REDIRECT_URIS,
      googleTesting: true,
    },
  };

  const clientEmail = `mailbridge-sa@rig-project.iam.gserviceaccount.com`;
  clients.serviceAccount = {
    clientId: clientEmail,
    // A service account proves itself with the signed assertion of the JWT bearer grant, not with client auth.
    tokenEndpointAuthMethod: "none",
    grantTypes: [JWT_BEARER_GRANT],
    redirectUris: [],
    publicJwk: publicJwkOf(serviceAccountKeys),
  };

  return { users, clients, serviceAccount: { clientEmail, keys: serviceAccountKeys } };
}

/** The user behind an address, case-insensitively; undefined for unknown addresses. */
export function findUser(identities: RigIdentities, address: string): RigUser | undefined {
  const wanted = address.trim().toLowerCase();
  return Object.values(identities.users).find((user) => user.username === wanted);
}

/** Whether `tokenUser` may open `mailbox` (its own, or one it is a delegate of). */
export function mayOpenMailbox(tokenUser: string, mailbox: string): boolean {
  const user = tokenUser.toLowerCase();
  const box = mailbox.toLowerCase();
  return user === box || (DELEGATES[box] ?? []).includes(user);
}

export function passwordMatches(user: RigUser, given: string): boolean {
  const expected = Buffer.from(user.password);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
