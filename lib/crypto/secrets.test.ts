import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { decryptSecret, encryptSecret, loadKeyring, resetKeyringForTests } from "./secrets";

const saved = { ...process.env };
function withEnv(env: Record<string, string | undefined>) {
  for (const k of ["DATABASE_URL", "MAILBRIDGE_SECRET_KEY", "MAILBRIDGE_SECRET_KEY_FILE", "MAILBRIDGE_DATA_DIR"])
    delete process.env[k];
  Object.assign(process.env, env);
  resetConfigForTests();
  resetKeyringForTests();
}

afterEach(() => {
  process.env = { ...saved };
  resetConfigForTests();
  resetKeyringForTests();
});

describe("key configuration", () => {
  it("refuses to start in PostgreSQL mode without a configured key, instead of inventing one", () => {
    withEnv({ DATABASE_URL: "postgres://x@127.0.0.1/db", MAILBRIDGE_DATA_DIR: "/tmp/mb-nokey" });
    expect(() => loadKeyring()).toThrow(/no secret key configured: set MAILBRIDGE_SECRET_KEY/);
  });

  it("refuses a key file that does not exist", () => {
    withEnv({ MAILBRIDGE_SECRET_KEY_FILE: "/nonexistent/secret.key" });
    expect(() => loadKeyring()).toThrow(/does not exist/);
  });

  it("decrypts with any key of an inline keyring and encrypts with the first", () => {
    const oldKey = Buffer.alloc(32, 1).toString("base64");
    const newKey = Buffer.alloc(32, 2).toString("base64");
    withEnv({ MAILBRIDGE_SECRET_KEY: oldKey });
    const sealedOld = encryptSecret("token", "ctx");
    withEnv({ MAILBRIDGE_SECRET_KEY: `${newKey},${oldKey}` });
    expect(decryptSecret(sealedOld, "ctx")).toBe("token");
    expect(encryptSecret("token", "ctx").split(":")[1]).toBe(loadKeyring().keys[0].id);
    withEnv({ MAILBRIDGE_SECRET_KEY: newKey });
    expect(() => decryptSecret(sealedOld, "ctx")).toThrow(/not configured/);
  });
});
