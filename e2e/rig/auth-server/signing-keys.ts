// The token signing keys of the authorization server. The newest key signs; older keys stay published in
// the JWKS (and keep verifying tokens they signed) until they are explicitly retired.
import { createLocalJWKSet, type JWTVerifyGetKey } from "jose";
import { generateRsaKeyPair, publicJwkOf, rsaKeyPairFromPem, privatePemOf, type RsaKeyPair } from "./identities";

export type SavedSigningKey = { kid: string; privateKeyPem: string };

export class SigningKeys {
  private keys: RsaKeyPair[] = [];

  static async create(): Promise<SigningKeys> {
    const ring = new SigningKeys();
    ring.keys = [await generateRsaKeyPair("rig-sig")];
    return ring;
  }

  static fromSaved(saved: SavedSigningKey[]): SigningKeys {
    const ring = new SigningKeys();
    ring.keys = saved.map((key) => rsaKeyPairFromPem(key.privateKeyPem, key.kid));
    return ring;
  }

  saved(): SavedSigningKey[] {
    return this.keys.map((pair) => ({ kid: pair.kid, privateKeyPem: privatePemOf(pair) }));
  }

  get current(): RsaKeyPair {
    return this.keys[0];
  }

  /** Private JWKs for oidc-provider's keystore, signing key first. */
  privateJwks(): { keys: Record<string, unknown>[] } {
    return {
      keys: this.keys.map((pair) => ({
        ...pair.privateKey.export({ format: "jwk" }),
        kid: pair.kid,
        alg: "RS256",
        use: "sig",
      })),
    };
  }

  publicJwks(): { keys: Record<string, unknown>[] } {
    return { keys: this.keys.map(publicJwkOf) };
  }

  verificationKeys(): JWTVerifyGetKey {
    return createLocalJWKSet(this.publicJwks() as Parameters<typeof createLocalJWKSet>[0]);
  }

  async rotate(opts: { retireOld?: boolean } = {}): Promise<{ kid: string; retired: string[] }> {
    const fresh = await generateRsaKeyPair("rig-sig");
    const retired = opts.retireOld ? this.keys.map((pair) => pair.kid) : [];
    this.keys = opts.retireOld ? [fresh] : [fresh, ...this.keys];
    return { kid: fresh.kid, retired };
  }
}
