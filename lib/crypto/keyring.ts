import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export type Key = { id: string; material: Buffer };

/** A key's id is derived from the key itself, so the id in a stored value always names exactly one key. */
export function keyIdOf(material: Buffer): string {
  return createHash("sha256").update("mailbridge-key-id:").update(material).digest("hex").slice(0, 12);
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyringError";
  }
}

/** Parses one key per line or comma (base64 or hex of 32 bytes); the first is the key new values use. */
export function parseKeyring(text: string, where: string): Key[] {
  const parts = text
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .flatMap((line) => line.split(","))
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new KeyringError(`${where}: no key found`);
  return parts.map((p, i) => {
    const material = /^[0-9a-fA-F]{64}$/.test(p) ? Buffer.from(p, "hex") : Buffer.from(p, "base64");
    if (material.length !== 32) {
      throw new KeyringError(
        `${where}: key ${i + 1} is not 32 bytes of base64 or hex (generate one with: openssl rand -base64 32)`,
      );
    }
    return { id: keyIdOf(material), material };
  });
}

export function formatKeyring(keys: Key[]): string {
  return (
    "# Mailbridge secret keys: the first line encrypts new values, every line can decrypt.\n" +
    keys.map((k) => k.material.toString("base64")).join("\n") +
    "\n"
  );
}

export function generateKey(): Key {
  const material = randomBytes(32);
  return { id: keyIdOf(material), material };
}

/** Writes atomically with mode 0600 so a reader never sees half a file. */
export function writeKeyFile(file: string, keys: Key[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, formatKeyring(keys), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readKeyFile(file: string): Key[] {
  if (!existsSync(file)) throw new KeyringError(`secret key file ${file} does not exist`);
  return parseKeyring(readFileSync(file, "utf8"), file);
}
