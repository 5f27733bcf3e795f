// The authorization endpoint in its three styles: the plain one (`/auth`), Microsoft's
// `/ms/{tenant}/oauth2/v2.0/authorize` and Google's `/google/o/oauth2/v2/auth`, all answered by oidc-provider's
// authorization endpoint after the request is put in its terms.
import type { KoaContextWithOIDC, Middleware } from "oidc-provider";
import type { ForcedFailure, ProviderStyle } from "./control-state";
import { AADSTS, microsoftError, parseAadstsCode } from "./microsoft-errors";
import { ROUTES, type AuthServerContext } from "./server-context";

const MICROSOFT_AUTHORIZE_PATH = /^\/ms\/[^/]+\/oauth2\/v2\.0\/authorize$/;
const SUPPORTED_PROMPTS = new Set(["login", "consent", "none"]);

/** Microsoft's authorize endpoint names some errors differently from its token endpoint. */
const MICROSOFT_AUTHORIZE_ERRORS: Record<number, string> = {
  50076: "interaction_required",
  65001: "consent_required",
  53003: "access_denied",
  65004: "access_denied",
};

export function authorizeStyle(path: string): ProviderStyle | undefined {
  if (path === ROUTES.authorize) return "standard";
  if (path === ROUTES.googleAuthorize) return "google";
  if (MICROSOFT_AUTHORIZE_PATH.test(path)) return "microsoft";
  return undefined;
}

export function authorizeEndpoint(server: AuthServerContext): Middleware {
  return async (ctx, next) => {
    const style = authorizeStyle(ctx.path);
    if (style && ctx.method === "GET") {
      const params = new URLSearchParams(ctx.querystring);
      const forced = server.control.takeFailure("authorize", style, params.get("client_id") ?? undefined);
      if (forced) {
        server.log(`authorize: forced failure ${forced.code} (${style})`);
        await sendForcedAuthorizeFailure(server, ctx, style, forced, params);
        return;
      }
      inProviderTerms(params, style);
      ctx.path = ROUTES.authorize;
      ctx.querystring = params.toString();
    }
    await next();
    if (ctx.path.startsWith(`${ROUTES.authorize}/`) || ctx.path === ROUTES.authorize) addMicrosoftCancelSubcode(ctx);
  };
}

/**
 * oidc-provider drops `offline_access` unless prompt=consent is also sent (OpenID Connect's rule); Microsoft
 * and Google do not ask for that. The wish for a refresh token travels as `rig_offline` instead and is
 * written into the grant on consent (see interactions.ts and issueRefreshToken in provider.ts).
 */
function inProviderTerms(params: URLSearchParams, style: ProviderStyle): void {
  params.delete("rig_offline");
  params.delete("rig_style");
  const scopes = (params.get("scope") ?? "").split(" ").filter(Boolean);
  let offline = scopes.includes("offline_access");
  if (style === "google" && params.get("access_type") === "offline") offline = true;
  params.delete("access_type");
  params.delete("include_granted_scopes");
  const remaining = scopes.filter((scope) => scope !== "offline_access");
  if (remaining.length) params.set("scope", remaining.join(" "));
  else params.delete("scope");
  if (offline) params.set("rig_offline", "1");

  const prompts = (params.get("prompt") ?? "")
    .split(" ")
    .map((prompt) => (prompt === "select_account" ? "login" : prompt))
    .filter((prompt) => SUPPORTED_PROMPTS.has(prompt));
  if (prompts.length) params.set("prompt", [...new Set(prompts)].join(" "));
  else params.delete("prompt");

  if (style !== "standard") params.set("rig_style", style);
}

/** Microsoft reports a declined consent as error=access_denied&error_subcode=cancel. */
function addMicrosoftCancelSubcode(ctx: KoaContextWithOIDC): void {
  if (ctx.status !== 302 && ctx.status !== 303) return;
  if (ctx.oidc?.params?.rig_style !== "microsoft") return;
  const location = ctx.res.getHeader("location");
  if (typeof location !== "string") return;
  const url = URL.parse(location);
  if (!url || url.searchParams.get("error") !== "access_denied") return;
  url.searchParams.set("error_subcode", "cancel");
  ctx.set("location", url.href);
}

async function sendForcedAuthorizeFailure(
  server: AuthServerContext,
  ctx: KoaContextWithOIDC,
  style: ProviderStyle,
  forced: ForcedFailure,
  params: URLSearchParams,
): Promise<void> {
  let error = forced.error ?? forced.code;
  let description = forced.description ?? "forced by the rig";
  if (style === "microsoft") {
    const code = parseAadstsCode(forced.code);
    error = forced.error ?? MICROSOFT_AUTHORIZE_ERRORS[code] ?? AADSTS[code]?.error ?? "invalid_request";
    description = microsoftError(code, { message: forced.description }).body.error_description;
  }

  const clientId = params.get("client_id") ?? "";
  const redirectUri = params.get("redirect_uri") ?? "";
  const client = clientId ? await server.provider().Client.find(clientId) : undefined;
  if (client && redirectUri && client.redirectUriAllowed(redirectUri)) {
    const target = new URL(redirectUri);
    target.searchParams.set("error", error);
    target.searchParams.set("error_description", description);
    const state = params.get("state");
    if (state !== null) target.searchParams.set("state", state);
    ctx.redirect(target.href);
    return;
  }
  ctx.status = forced.status ?? 400;
  ctx.type = "text/plain";
  ctx.body = `${error}: ${description}`;
}
