import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { oauthFieldsSchema } from "./connection-schema";

const base = {
  preset: "generic",
  grantType: "authorization_code",
  clientId: "client",
  authorizeUrl: "https://idp.example.com/authorize",
  tokenUrl: "https://idp.example.com/token",
};
const errorsOf = (extra: Record<string, unknown>) => {
  const result = oauthFieldsSchema.safeParse({ ...base, ...extra });
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("OAuth fields refuse input the server cannot use, at the field", () => {
  it("dates that do not exist or are out of range", () => {
    expect(errorsOf({ secretExpiresOn: "2026-02-31" }).secretExpiresOn).toMatch(/real date/);
    expect(errorsOf({ secretExpiresOn: "9999-12-31" }).secretExpiresOn).toMatch(/between 2000 and 2199/);
    expect(errorsOf({ secretExpiresOn: "2027-02-28" }).secretExpiresOn).toBeUndefined();
    expect(errorsOf({ secretExpiresOn: "2028-02-29" }).secretExpiresOn).toBeUndefined();
  });

  it("a private key that is not one", () => {
    expect(errorsOf({ privateKey: "garbage" }).privateKey).toMatch(/PEM/);
    expect(
      errorsOf({ privateKey: "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----" }).privateKey,
    ).toMatch(/PEM/);
    expect(
      errorsOf({ privateKey: `-----BEGIN PRIVATE KEY-----\n${"QUFB".repeat(40)}\n-----END PRIVATE KEY-----` })
        .privateKey,
    ).toMatch(/PEM/);
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(errorsOf({ privateKey }).privateKey).toBeUndefined();
  });

  it("plain http URLs to another machine, but not to this one", () => {
    expect(errorsOf({ tokenUrl: "http://idp.example.com/token" }).tokenUrl).toMatch(/must use https/);
    expect(errorsOf({ authorizeUrl: "http://idp.example.com/authorize" }).authorizeUrl).toMatch(/must use https/);
    expect(errorsOf({ tokenUrl: "http://127.0.0.1:8080/token" }).tokenUrl).toBeUndefined();
    expect(errorsOf({ tokenUrl: "http://localhost:8080/token" }).tokenUrl).toBeUndefined();
    expect(errorsOf({ tokenUrl: "https://[" }).tokenUrl).toMatch(/https:\/\//);
  });
});
