import { hkdfSync } from "node:crypto";
import { config } from "@/lib/config";
import { loadKeyring } from "@/lib/crypto";

/**
 * Signs session cookies. Without AUTH_SECRET it is derived from the oldest configured secret key, so
 * the two-command setup needs no extra variable and sessions survive adding a new key.
 */
let derived: { base: unknown; secret: string } | undefined;

export function authSecret(): string {
  const configured = config().authSecret;
  if (configured) return configured;
  const keys = loadKeyring().keys;
  const base = keys[keys.length - 1].material;
  // Asked on every request: derive once per oldest key.
  if (derived?.base !== base) {
    derived = {
      base,
      secret: Buffer.from(hkdfSync("sha256", base, "mailbridge", "auth.js session secret", 32)).toString("base64url"),
    };
  }
  return derived.secret;
}
