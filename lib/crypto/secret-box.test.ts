import { describe, expect, it } from "vitest";
import { generateKey, keyIdOf, parseKeyring } from "./keyring";
import { isSealed, open, seal, sealedKeyId, SecretDecryptError } from "./secret-box";

const keyA = generateKey();
const keyB = generateKey();
const finder =
  (...keys: (typeof keyA)[]) =>
  (id: string) =>
    keys.find((k) => k.id === id);

describe("secret box", () => {
  it("round-trips a secret and never stores the plaintext", () => {
    const sealed = seal("refresh-token-123", keyA, "OAuthConnection.refreshToken");
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain("refresh-token-123");
    expect(sealedKeyId(sealed)).toBe(keyA.id);
    expect(open(sealed, finder(keyA), "OAuthConnection.refreshToken")).toBe("refresh-token-123");
  });

  it("uses a fresh IV each time", () => {
    expect(seal("same", keyA, "c")).not.toBe(seal("same", keyA, "c"));
  });

  it("refuses a value sealed under a key that is not configured", () => {
    const sealed = seal("x", keyA, "c");
    expect(() => open(sealed, finder(keyB), "c")).toThrow(/not configured/);
  });

  it("refuses a key with the same id but other material (wrong key)", () => {
    const sealed = seal("x", keyA, "c");
    const impostor = { id: keyA.id, material: keyB.material };
    expect(() => open(sealed, () => impostor, "c")).toThrow(SecretDecryptError);
  });

  it("refuses a tampered value", () => {
    const sealed = seal("secret value", keyA, "c");
    const parts = sealed.split(":");
    const body = Buffer.from(parts[3], "base64url");
    body[0] ^= 1;
    parts[3] = body.toString("base64url");
    expect(() => open(parts.join(":"), finder(keyA), "c")).toThrow(/failed authentication/);
  });

  it("refuses a value moved to another field (context is authenticated)", () => {
    const sealed = seal("x", keyA, "OAuthApplication.clientSecret");
    expect(() => open(sealed, finder(keyA), "IncomingMailbox.password")).toThrow(SecretDecryptError);
  });

  it("never returns plaintext input as if it were decrypted", () => {
    expect(() => open("plain-password", finder(keyA), "c")).toThrow(/not in the encrypted format/);
  });

  it("derives key ids from key material and parses keyrings", () => {
    const text = `# comment\n${keyB.material.toString("base64")}\n${keyA.material.toString("hex")}\n`;
    const keys = parseKeyring(text, "test");
    expect(keys.map((k) => k.id)).toEqual([keyB.id, keyA.id]);
    expect(keyIdOf(keyA.material)).toBe(keyA.id);
    expect(() => parseKeyring("c2hvcnQ=", "MAILBRIDGE_SECRET_KEY")).toThrow(
      /MAILBRIDGE_SECRET_KEY: key 1 is not 32 bytes/,
    );
  });
});
