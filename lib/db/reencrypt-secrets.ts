import { currentKey, decryptSecret, encryptSecret, sealedKeyId } from "@/lib/crypto";
import type { RawDb } from "./client";
import { SECRET_FIELDS } from "./secret-fields";

export type RotationReport = { reencrypted: number; alreadyCurrent: number; keyId: string };

type Delegate = {
  findMany(args: object): Promise<Record<string, unknown>[]>;
  updateMany(args: object): Promise<{ count: number }>;
};

/**
 * Re-encrypts every secret column under the current key. Works on the raw client (no automatic
 * sealing) and writes with compare-and-swap on the old value, so a concurrent writer always wins and
 * readers never see a value they cannot decrypt (every process also knows the new key).
 */
export async function reencryptAll(raw: RawDb): Promise<RotationReport> {
  const key = currentKey();
  let reencrypted = 0;
  let alreadyCurrent = 0;
  for (const [model, fields] of Object.entries(SECRET_FIELDS)) {
    const delegate = (raw as unknown as Record<string, Delegate>)[model.charAt(0).toLowerCase() + model.slice(1)];
    for (const field of fields) {
      const rows = await delegate.findMany({ select: { id: true, [field]: true } });
      for (const row of rows) {
        const stored = row[field];
        if (typeof stored !== "string") continue;
        if (sealedKeyId(stored) === key.id) {
          alreadyCurrent++;
          continue;
        }
        const context = `${model}.${field}`;
        const resealed = encryptSecret(decryptSecret(stored, context), context);
        const { count } = await delegate.updateMany({
          where: { id: row.id, [field]: stored },
          data: { [field]: resealed },
        });
        reencrypted += count;
      }
    }
  }
  return { reencrypted, alreadyCurrent, keyId: key.id };
}
