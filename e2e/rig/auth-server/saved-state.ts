// The authorization server's identities, signing keys and cookie keys kept in one file, for a rig whose
// clients must keep working across restarts (the demo): the same passwords, client secrets and keys, so a
// console's stored client secret and refresh tokens stay good.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { writeJsonAtomically } from "./json-file";
import { createIdentities, privatePemOf, rsaKeyPairFromPem, type RigIdentities } from "./identities";
import { SigningKeys, type SavedSigningKey } from "./signing-keys";

type SavedState = {
  identities: Omit<RigIdentities, "serviceAccount"> & {
    serviceAccount: { clientEmail: string; kid: string; privateKeyPem: string };
  };
  signingKeys: SavedSigningKey[];
  cookieKeys: string[];
};

export type ServerSecrets = { identities: RigIdentities; keys: SigningKeys; cookieKeys: string[] };

export async function createSecrets(): Promise<ServerSecrets> {
  const [identities, keys] = await Promise.all([createIdentities(), SigningKeys.create()]);
  return { identities, keys, cookieKeys: [randomBytes(32).toString("base64url")] };
}

/** The secrets saved in `file`, or new ones (then saved there). */
export async function loadOrCreateSecrets(file: string): Promise<ServerSecrets> {
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as SavedState;
    const { serviceAccount, ...rest } = saved.identities;
    return {
      identities: {
        ...rest,
        serviceAccount: {
          clientEmail: serviceAccount.clientEmail,
          keys: rsaKeyPairFromPem(serviceAccount.privateKeyPem, serviceAccount.kid),
        },
      },
      keys: SigningKeys.fromSaved(saved.signingKeys),
      cookieKeys: saved.cookieKeys,
    };
  }
  const secrets = await createSecrets();
  saveSecrets(file, secrets);
  return secrets;
}

export function saveSecrets(file: string, secrets: ServerSecrets): void {
  const { serviceAccount, ...rest } = secrets.identities;
  const state: SavedState = {
    identities: {
      ...rest,
      serviceAccount: {
        clientEmail: serviceAccount.clientEmail,
        kid: serviceAccount.keys.kid,
        privateKeyPem: privatePemOf(serviceAccount.keys),
      },
    },
    signingKeys: secrets.keys.saved(),
    cookieKeys: secrets.cookieKeys,
  };
  writeJsonAtomically(file, state);
}
