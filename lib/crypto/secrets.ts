import path from "node:path";
import { existsSync } from "node:fs";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { KeyringError, generateKey, parseKeyring, readKeyFile, writeKeyFile, type Key } from "./keyring";
import { open, seal } from "./secret-box";

type Source = { kind: "inline"; keys: Key[] } | { kind: "file"; file: string; keys: Key[] };

let source: Source | undefined;

export function defaultKeyFile(): string {
  return path.join(config().dataDir, "secret.key");
}

/**
 * Loads the keyring once per process. The embedded default (SQLite, nothing configured) creates a key
 * file; a PostgreSQL deployment shares its database between machines and must be given the key.
 */
export function loadKeyring(): Source {
  if (source) return source;
  const c = config();
  if (c.secretKey.inline) {
    source = { kind: "inline", keys: parseKeyring(c.secretKey.inline, "MAILBRIDGE_SECRET_KEY") };
  } else if (c.secretKey.file) {
    source = { kind: "file", file: path.resolve(c.secretKey.file), keys: readKeyFile(path.resolve(c.secretKey.file)) };
  } else if (c.database.provider === "sqlite") {
    const file = defaultKeyFile();
    if (!existsSync(file)) {
      writeKeyFile(file, [generateKey()]);
      log.info(`created a new secret key file at ${file} (mode 0600): back it up with the database`);
    }
    source = { kind: "file", file, keys: readKeyFile(file) };
  } else {
    throw new KeyringError(
      "no secret key configured: set MAILBRIDGE_SECRET_KEY or MAILBRIDGE_SECRET_KEY_FILE (PostgreSQL mode shares the key between machines)",
    );
  }
  return source;
}

function findKey(id: string): Key | undefined {
  const s = loadKeyring();
  let key = s.keys.find((k) => k.id === id);
  if (!key && s.kind === "file") {
    // Another process may have rotated the key file: re-read it before giving up.
    s.keys = readKeyFile(s.file);
    key = s.keys.find((k) => k.id === id);
  }
  return key;
}

export function currentKey(): Key {
  return loadKeyring().keys[0];
}

export function encryptSecret(plaintext: string, context: string): string {
  return seal(plaintext, currentKey(), context);
}

export function decryptSecret(value: string, context: string): string {
  return open(value, findKey, context);
}

/** Adds a new key in front of the file's keyring (file mode only); returns it. */
export function addKeyToFile(): Key {
  const s = loadKeyring();
  if (s.kind !== "file") {
    throw new KeyringError(
      "MAILBRIDGE_SECRET_KEY is set inline: put the new key first in it (comma-separated, old key after) and run secrets:rotate again",
    );
  }
  const key = generateKey();
  s.keys = [key, ...readKeyFile(s.file)];
  writeKeyFile(s.file, s.keys);
  return key;
}

export function resetKeyringForTests(): void {
  source = undefined;
}
