import "server-only";
import { guardedFetch } from "@/lib/net";

/**
 * The fetch OAuth requests use (token endpoints, discovery, revocation): under the outbound policy, with
 * deadlines, through MAILBRIDGE_HTTPS_PROXY when one is configured (then names are resolved by the proxy).
 */
export function outboundFetch(): typeof globalThis.fetch {
  return guardedFetch();
}
