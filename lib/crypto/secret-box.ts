import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Key } from "./keyring";

const FORMAT = "mb1";

export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptError";
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${FORMAT}:`);
}

/** AES-256-GCM with a random 96-bit IV; `context` (e.g. "OAuthConnection.refreshToken") is bound as AAD. */
export function seal(plaintext: string, key: Key, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.material, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${FORMAT}:${key.id}:${iv.toString("base64url")}:${body.toString("base64url")}`;
}

export function sealedKeyId(value: string): string {
  const parts = value.split(":");
  if (parts.length !== 4 || parts[0] !== FORMAT)
    throw new SecretDecryptError("stored secret is not in the encrypted format");
  return parts[1];
}

/** Never returns the input as-is: a value that is not a valid sealed secret is an error. */
export function open(value: string, findKey: (id: string) => Key | undefined, context: string): string {
  const [format, keyId, ivText, bodyText, ...rest] = value.split(":");
  if (format !== FORMAT || !keyId || !ivText || !bodyText || rest.length) {
    throw new SecretDecryptError(`stored secret for ${context} is not in the encrypted format`);
  }
  const key = findKey(keyId);
  if (!key) throw new SecretDecryptError(`stored secret for ${context} uses key ${keyId}, which is not configured`);
  const iv = Buffer.from(ivText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (iv.length !== 12 || body.length < 16) throw new SecretDecryptError(`stored secret for ${context} is truncated`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.material, iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError(`stored secret for ${context} failed authentication (wrong key or tampered value)`);
  }
}
