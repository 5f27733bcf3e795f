import "server-only";
// fetch for OAuth requests (token endpoints, discovery, revocation) under the outbound policy. Directly: every
// connection's target is checked by the connector (IP literals) and its DNS lookup (names), redirects
// included. Through MAILBRIDGE_HTTPS_PROXY: names are never resolved here (the proxy resolves them), IP
// literals are still checked before the request is handed to the proxy.
import { Agent, buildConnector, fetch as undiciFetch, ProxyAgent, type Dispatcher } from "undici";
import { config } from "@/lib/config";
import { checkLiteralTarget, guardedLookup } from "./outbound-check";

export const FETCH_TIMEOUT_MS = 20_000;

function portOf(url: URL): number {
  return Number(url.port || (url.protocol === "https:" ? 443 : 80));
}

function guardedAgent(): Agent {
  const connectors = new Map<number, buildConnector.connector>();
  const connect: buildConnector.connector = (options, callback) => {
    const port = Number(options.port || (options.protocol === "https:" ? 443 : 80));
    try {
      checkLiteralTarget(options.hostname, port);
    } catch (error) {
      callback(error as Error, null);
      return;
    }
    let connector = connectors.get(port);
    if (!connector) {
      connector = buildConnector({ lookup: guardedLookup(port), timeout: 10_000 } as buildConnector.BuildOptions);
      connectors.set(port, connector);
    }
    connector(options, callback);
  };
  return new Agent({ connect, headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS });
}

/** A proxy agent that refuses IP-literal targets the policy refuses, on every request and redirect. */
class GuardedProxyAgent extends ProxyAgent {
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin));
    checkLiteralTarget(origin.hostname, portOf(origin));
    return super.dispatch(options, handler);
  }
}

let cached: { proxy: string | undefined; fetch: typeof globalThis.fetch } | null = null;

/** The fetch every outbound OAuth request uses. */
export function guardedFetch(): typeof globalThis.fetch {
  const proxy = config().httpsProxy;
  if (!cached || cached.proxy !== proxy) {
    let fetch: typeof globalThis.fetch;
    if (proxy) {
      const dispatcher = new GuardedProxyAgent({
        uri: proxy,
        headersTimeout: FETCH_TIMEOUT_MS,
        bodyTimeout: FETCH_TIMEOUT_MS,
      });
      fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
        undiciFetch(input, {
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
          ...init,
          dispatcher,
        })) as unknown as typeof globalThis.fetch;
    } else {
      // The platform's fetch takes the guarded agent as its dispatcher (and stays the one seam tests observe).
      const dispatcher = guardedAgent();
      fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
        globalThis.fetch(input, {
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
          ...init,
          dispatcher,
        } as RequestInit)) as typeof globalThis.fetch;
    }
    cached = { proxy, fetch };
  }
  return cached.fetch;
}

/** For tests that change the configuration. */
export function resetGuardedFetchForTests(): void {
  cached = null;
}
