// What a failed token request means for the connection: the grant is gone (only a new consent helps), or the
// refresh failed for now (provider down or slow, a refused scope or client) and is retried after a backoff.
import { UserFacingError, type Hint } from "@/lib/errors";
import { explainOAuthError, isGrantGone } from "./error-catalogue";
import { isHttpResponse } from "./request-failure";
import { backoffMs } from "./refresh-backoff";
import { TOKEN_REQUEST_TIMEOUT_S, TokenEndpointError } from "./token-request";

export type RefreshFailure = {
  grantGone: boolean;
  /** false: not a failure of the provider or of the grant (a bug): thrown as it is, nothing recorded */
  record: boolean;
  code: string;
  /** the server's words or what happened, shown as the connection's status reason */
  reason: string;
  hint: Hint | null;
  userError: Error;
  retryInMs(failuresInARow: number): number;
};

const INVALID_SCOPE_ON_REFRESH: Hint = {
  code: "oauth.refresh_invalid_scope",
  title: "The provider refused the scope of the refresh",
  action:
    "The refresh token records a narrower grant than the Scope field asks for (often without offline_access). Mailbridge sent the granted scope and then no scope; both were refused. Check the Scope against what the provider grants, save, and press Reconnect.",
};

/** The chain of causes, the error first (openid-client wraps fetch's TypeError, which wraps the socket error). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

function networkCode(error: unknown): string | undefined {
  const withCode = causes(error).find(
    (e) => typeof (e as { code?: unknown }).code === "string" && /^E[A-Z]+$/.test((e as { code: string }).code),
  );
  return (withCode as { code?: string } | undefined)?.code;
}

const MAX_ANSWER_BYTES = 4096;
const MAX_REASON_CHARS = 500;
const bounded = (text: string) => (text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text);

/** The server's words from a non-OAuth error answer (a 5xx with a JSON error body), reading at most 4 KB. */
async function answerText(response: Response): Promise<string> {
  const reader = response.clone().body?.getReader();
  if (!reader) return response.statusText;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === "string")
      return typeof body.error_description === "string" ? `${body.error}: ${body.error_description}` : body.error;
  } catch {
    // not JSON (an HTML error page, or cut at the bound)
  }
  return response.statusText;
}

export async function refreshFailure(error: unknown, conn: { grantType: string }): Promise<RefreshFailure> {
  const base = { retryInMs: backoffMs };
  if (error instanceof TokenEndpointError) {
    const reason = bounded(
      error.body.error_description ? `${error.body.error}: ${error.body.error_description}` : error.body.error,
    );
    if (isGrantGone(error.body)) {
      const hint = explainOAuthError(error.body);
      return {
        ...base,
        grantGone: true,
        record: true,
        code: error.body.error,
        reason: bounded(error.body.error_description ?? error.body.error),
        hint,
        userError: error,
      };
    }
    const hint =
      error.body.error === "invalid_scope" && conn.grantType !== "client_credentials"
        ? INVALID_SCOPE_ON_REFRESH
        : explainOAuthError(error.body);
    const userError = new UserFacingError(`The token endpoint refused the request: ${error.message}`, {
      hint: hint ?? undefined,
      raw: error.message,
    });
    return { ...base, grantGone: false, record: true, code: error.body.error, reason, hint, userError };
  }
  const timedOut = causes(error).some(
    (e) =>
      ["OAUTH_TIMEOUT", "OAUTH_ABORT"].includes(String((e as { code?: unknown }).code)) ||
      (e as { name?: unknown }).name === "TimeoutError",
  );
  if (timedOut) {
    const reason = `the token endpoint did not answer within ${TOKEN_REQUEST_TIMEOUT_S} s`;
    const hint: Hint = {
      code: "oauth.token_timeout",
      title: "The token endpoint is too slow",
      action:
        "Check the Access Token URL and the network path to it (proxy, firewall). Mailbridge retries with growing pauses.",
    };
    return {
      ...base,
      grantGone: false,
      record: true,
      code: "timeout",
      reason,
      hint,
      userError: new UserFacingError(`The access token could not be refreshed: ${reason}.`, { hint }),
    };
  }
  const code = networkCode(error);
  if (code || causes(error).some((e) => e instanceof TypeError && /fetch failed/i.test(e.message))) {
    const reason = `the token endpoint could not be reached${code ? ` (${code})` : ""}`;
    const hint: Hint = {
      code: "oauth.token_unreachable",
      title: "The token endpoint cannot be reached",
      action: "Check the Access Token URL, DNS and the proxy setting. Mailbridge retries with growing pauses.",
    };
    return {
      ...base,
      grantGone: false,
      record: true,
      code: code ?? "network",
      reason,
      hint,
      userError: new UserFacingError(`The access token could not be refreshed: ${reason}.`, { hint }),
    };
  }
  // openid-client gives a non-OAuth answer (an HTML 502 page, say) as the error's cause, the Response itself.
  const response = causes(error).find(isHttpResponse);
  if (response) {
    const words = await answerText(response);
    const reason = bounded(`the token endpoint answered HTTP ${response.status}${words ? ` (${words})` : ""}`);
    const hint: Hint = {
      code: "oauth.token_http_error",
      title: "The token endpoint failed",
      action: "The provider may be down, or the Access Token URL is wrong. Mailbridge retries with growing pauses.",
    };
    return {
      ...base,
      grantGone: false,
      record: true,
      code: `http_${response.status}`,
      reason,
      hint,
      userError: new UserFacingError(`The access token could not be refreshed: ${reason}.`, { hint }),
    };
  }
  return {
    ...base,
    grantGone: false,
    record: false,
    code: "unexpected",
    reason: "",
    hint: null,
    userError: error instanceof Error ? error : new Error(String(error)),
  };
}
