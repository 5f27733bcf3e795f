import "server-only";
// What went wrong when a request to a provider's endpoint got no OAuth answer at all: the network's words
// ("connection refused"), or the HTTP status and the library's words, for the admin to act on.
import * as client from "openid-client";

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "timed out",
  UND_ERR_CONNECT_TIMEOUT: "timed out while connecting",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for the answer",
  ECONNRESET: "connection reset by the server",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's TLS certificate is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate is not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host name",
};

function codeOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK[code]) return code;
  }
  return undefined;
}

/**
 * Whether a value is an HTTP response. Not `instanceof Response`: undici's fetch (used for the outbound policy
 * and the proxy) has its own Response class, distinct from the platform's global one.
 */
export function isHttpResponse(value: unknown): value is Response {
  const r = value as { status?: unknown; headers?: unknown; clone?: unknown } | null;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.status === "number" &&
    typeof r.clone === "function" &&
    typeof r.headers === "object"
  );
}

/** A short description of why a request to an endpoint failed, in words an admin can act on. */
export function describeRequestFailure(error: unknown): string {
  const code = codeOf(error);
  if (code) return NETWORK[code];
  if (error instanceof client.ResponseBodyError)
    return `${error.error}${error.error_description ? ` — ${error.error_description}` : ""}`;
  if (error instanceof client.WWWAuthenticateChallengeError) return `HTTP ${error.status}: ${error.message}`;
  const response = (error as { cause?: unknown })?.cause;
  if (isHttpResponse(response))
    return `HTTP ${response.status} ${response.statusText}: ${error instanceof Error ? error.message : ""}`.trim();
  if (error instanceof client.ClientError || (error instanceof Error && error.name === "OperationProcessingError"))
    return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Whether the failure is the network's (nothing answered), not the server's. */
export const isNetworkFailure = (error: unknown): boolean => codeOf(error) !== undefined;
