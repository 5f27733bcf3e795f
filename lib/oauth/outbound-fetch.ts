import "server-only";
import { fetch as undiciFetch, ProxyAgent } from "undici";
import { config } from "@/lib/config";

let cached: { proxy: string; fetch: typeof globalThis.fetch } | null = null;

/**
 * The fetch OAuth requests use: through MAILBRIDGE_HTTPS_PROXY when one is configured (corporate networks
 * often allow outbound HTTPS only through a proxy), else the platform's fetch.
 */
export function outboundFetch(): typeof globalThis.fetch | undefined {
  const proxy = config().httpsProxy;
  if (!proxy) return undefined;
  if (cached?.proxy !== proxy) {
    const dispatcher = new ProxyAgent(proxy);
    const viaProxy = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
      undiciFetch(input, { ...init, dispatcher })) as unknown as typeof globalThis.fetch;
    cached = { proxy, fetch: viaProxy };
  }
  return cached.fetch;
}
