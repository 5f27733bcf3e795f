// In-memory storage of oidc-provider's models (grants, tokens, sessions, interactions) for one server.
// Unlike the library's built-in memory adapter it belongs to one server instance, survives rebuilding the
// provider (key rotation), and can be searched, which the control API's revoke needs. Given a file, it is
// loaded from it and written to it after every change (the demo's grants and refresh tokens outlive a restart).
import { existsSync, readFileSync } from "node:fs";
import { writeJsonAtomically } from "./json-file";

/**
 * JWT access tokens are self-contained, so oidc-provider does not store them; the rig records each one it
 * issues under this model name so that revocation can make introspection answer inactive.
 */
export const ISSUED_ACCESS_TOKENS = "IssuedAccessToken";

export type StoredPayload = Record<string, unknown> & {
  accountId?: string;
  clientId?: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
};

type Entry = { payload: StoredPayload; expiresAt: number | undefined };

export class TokenStore {
  private readonly models = new Map<string, Map<string, Entry>>();

  constructor(private readonly file?: string) {
    if (!file || !existsSync(file)) return;
    const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, Entry>>;
    for (const [model, entries] of Object.entries(saved)) this.models.set(model, new Map(Object.entries(entries)));
  }

  private changed(): void {
    if (!this.file) return;
    const now = Date.now();
    const live = [...this.models].map(([model, entries]) => [
      model,
      Object.fromEntries([...entries].filter(([, entry]) => entry.expiresAt === undefined || entry.expiresAt > now)),
    ]);
    writeJsonAtomically(this.file, Object.fromEntries(live));
  }

  private model(name: string): Map<string, Entry> {
    let entries = this.models.get(name);
    if (!entries) {
      entries = new Map();
      this.models.set(name, entries);
    }
    return entries;
  }

  set(model: string, id: string, payload: StoredPayload, expiresInSeconds: number | undefined): void {
    const expiresAt = expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : undefined;
    this.model(model).set(id, { payload, expiresAt });
    this.changed();
  }

  get(model: string, id: string): StoredPayload | undefined {
    const entry = this.model(model).get(id);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.model(model).delete(id);
      return undefined;
    }
    return entry.payload;
  }

  find(model: string, matches: (payload: StoredPayload) => boolean): [string, StoredPayload][] {
    return [...this.model(model)]
      .filter(([, entry]) => matches(entry.payload))
      .map(([id, entry]) => [id, entry.payload]);
  }

  delete(model: string, id: string): void {
    this.model(model).delete(id);
    this.changed();
  }

  deleteWhere(model: string, matches: (payload: StoredPayload) => boolean): string[] {
    const ids = this.find(model, matches).map(([id]) => id);
    for (const id of ids) this.model(model).delete(id);
    if (ids.length) this.changed();
    return ids;
  }

  /** Frees the memory of a stopped server; a store's file keeps what it held. */
  clear(): void {
    this.models.clear();
  }

  /** An oidc-provider adapter class whose instances all use this store. */
  adapterClass(): new (model: string) => object {
    // oidc-provider constructs the adapter class itself: the class reaches its store through this closure.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    const grantScoped = [
      "AccessToken",
      "AuthorizationCode",
      "RefreshToken",
      "DeviceCode",
      "BackchannelAuthenticationRequest",
      ISSUED_ACCESS_TOKENS,
    ];
    return class TokenStoreAdapter {
      constructor(private readonly name: string) {}

      async upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
        store.set(this.name, id, payload, expiresIn);
      }

      async find(id: string): Promise<StoredPayload | undefined> {
        return store.get(this.name, id);
      }

      async findByUid(uid: string): Promise<StoredPayload | undefined> {
        return store.find(this.name, (payload) => payload.uid === uid)[0]?.[1];
      }

      async findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
        return store.find(this.name, (payload) => payload.userCode === userCode)[0]?.[1];
      }

      async consume(id: string): Promise<void> {
        const payload = store.get(this.name, id);
        if (!payload) return;
        payload.consumed = Math.floor(Date.now() / 1000);
        store.changed();
      }

      async destroy(id: string): Promise<void> {
        store.delete(this.name, id);
      }

      async revokeByGrantId(grantId: string): Promise<void> {
        for (const model of grantScoped) store.deleteWhere(model, (payload) => payload.grantId === grantId);
      }
    };
  }
}
