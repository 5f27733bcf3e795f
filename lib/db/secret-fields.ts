/**
 * The one list of columns that hold secrets. The database client seals them on every write and opens
 * them on every read (lib/db/client.ts); `npm run secrets:rotate` re-encrypts exactly these.
 */
export const SECRET_FIELDS = {
  OAuthApplication: ["clientSecret", "privateKey"],
  OAuthConnection: ["password", "accessToken", "refreshToken", "pendingChange"],
  OAuthState: ["codeVerifier", "pendingChange"],
  IncomingMailbox: ["password"],
  OutgoingServer: ["password"],
} as const satisfies Record<string, readonly string[]>;

export type SecretModel = keyof typeof SECRET_FIELDS;

export function secretFieldsOf(model: string): readonly string[] {
  return (SECRET_FIELDS as Record<string, readonly string[]>)[model] ?? [];
}

/** Prisma relation field name → model, for the relations through which secrets can be read or written. */
export const RELATION_MODELS: Record<string, SecretModel> = {
  application: "OAuthApplication",
  connection: "OAuthConnection",
  connections: "OAuthConnection",
  incomingMailboxes: "IncomingMailbox",
  outgoingServers: "OutgoingServer",
  outgoingServer: "OutgoingServer",
  states: "OAuthState",
  oauthStates: "OAuthState",
};
