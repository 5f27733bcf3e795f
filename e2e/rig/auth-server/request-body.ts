// Reading request bodies in the rig's own middleware. A form read here and handed on to oidc-provider is
// put on `req.body`, which oidc-provider's body parser uses when the stream was already consumed.
import type { KoaContextWithOIDC } from "oidc-provider";

const LIMIT = 64 * 1024;

export async function readText(ctx: KoaContextWithOIDC): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readForm(ctx: KoaContextWithOIDC): Promise<URLSearchParams> {
  return new URLSearchParams(await readText(ctx));
}

export async function readJson(ctx: KoaContextWithOIDC): Promise<Record<string, unknown>> {
  const text = await readText(ctx);
  if (!text.trim()) return {};
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("expected a JSON object");
  return value as Record<string, unknown>;
}

/** Hands a (possibly changed) form on to oidc-provider after readForm consumed the stream. */
export function passFormOn(ctx: KoaContextWithOIDC, form: URLSearchParams): void {
  ctx.req.body = form.toString();
}
