import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { RELATION_MODELS, secretFieldsOf } from "./secret-fields";

const WRITE_OPS = new Set([
  "create",
  "createMany",
  "createManyAndReturn",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "upsert",
]);
const NESTED_WRITE_KEYS = ["create", "createMany", "update", "updateMany", "upsert", "connectOrCreate"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !(v instanceof Date) && !Buffer.isBuffer(v);

function sealData(model: string, data: unknown): unknown {
  if (Array.isArray(data)) return data.map((d) => sealData(model, d));
  if (!isObj(data)) return data;
  const out: Obj = { ...data };
  for (const field of secretFieldsOf(model)) {
    const v = out[field];
    if (typeof v === "string") out[field] = encryptSecret(v, `${model}.${field}`);
    else if (isObj(v) && typeof v.set === "string") out[field] = { set: encryptSecret(v.set, `${model}.${field}`) };
  }
  for (const [key, value] of Object.entries(out)) {
    const related = RELATION_MODELS[key];
    if (related && isObj(value)) out[key] = sealNested(related, value);
  }
  return out;
}

function sealNested(model: string, relationArgs: Obj): Obj {
  const out: Obj = { ...relationArgs };
  for (const op of NESTED_WRITE_KEYS) {
    const v = out[op];
    if (v === undefined) continue;
    if (op === "createMany" && isObj(v)) out[op] = { ...v, data: sealData(model, v.data) };
    else if ((op === "update" || op === "updateMany") && isObj(v) && "data" in v)
      out[op] = { ...v, data: sealData(model, v.data) };
    else if (op === "upsert" && isObj(v))
      out[op] = { ...v, create: sealData(model, v.create), update: sealData(model, v.update) };
    else if (op === "connectOrCreate" && isObj(v)) out[op] = { ...v, create: sealData(model, v.create) };
    else out[op] = sealData(model, v);
  }
  return out;
}

function openResult(model: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => openResult(model, v));
  if (!isObj(value)) return value;
  for (const field of secretFieldsOf(model)) {
    const v = value[field];
    if (typeof v === "string") value[field] = decryptSecret(v, `${model}.${field}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const related = RELATION_MODELS[key];
    if (related && v !== null && typeof v === "object") openResult(related, v);
  }
  return value;
}

/** Seals secret fields on writes (including nested relation writes) and opens them on reads. */
export async function applySecretFields(
  model: string,
  operation: string,
  args: Obj,
  query: (args: Obj) => Promise<unknown>,
): Promise<unknown> {
  let next = args;
  if (WRITE_OPS.has(operation)) {
    next = { ...args };
    if (operation === "upsert") {
      next.create = sealData(model, args.create);
      next.update = sealData(model, args.update);
    } else if ("data" in args) {
      next.data = sealData(model, args.data);
    }
  }
  const result = await query(next);
  return openResult(model, result);
}
