// The rig's own HTTP routes next to the OAuth endpoints: the introspection extension used by the mail
// servers, the userinfo endpoint (added to the discovery document), and the control API used by tests (revoke, token lifetime, key rotation, forced failures, slow
// answers, token-request counts, reset).
import type { KoaContextWithOIDC, Middleware } from "oidc-provider";
import type { ForcedFailure } from "./control-state";
import { introspect, isIntrospectionResource } from "./introspection";
import { parseAadstsCode } from "./microsoft-errors";
import { readForm, readJson } from "./request-body";
import { revokeGrants } from "./revocation";
import { ROUTES, type AuthServerContext } from "./server-context";
import { userinfoRoute } from "./userinfo";

const DISCOVERY = "/.well-known/openid-configuration";

export function rigRoutes(server: AuthServerContext): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith(`${ROUTES.introspect}/`)) return introspectRoute(server, ctx);
    if (ctx.path.startsWith(`${ROUTES.control}/`)) return controlRoute(server, ctx);
    if (ctx.path === ROUTES.userinfo) return userinfoRoute(server, ctx);
    await next();
    if (ctx.path === DISCOVERY && ctx.status === 200 && ctx.body && typeof ctx.body === "object")
      ctx.body = { ...(ctx.body as Record<string, unknown>), userinfo_endpoint: `${server.issuer}${ROUTES.userinfo}` };
  };
}

async function introspectRoute(server: AuthServerContext, ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set("cache-control", "no-store");
  const resource = ctx.path.slice(ROUTES.introspect.length + 1);
  // Dovecot treats anything but 200 as a temporary failure: a bad request is an inactive token, not an error.
  ctx.status = 200;
  if (ctx.method !== "POST" || !isIntrospectionResource(resource)) {
    ctx.body = { active: false };
    return;
  }
  const form = ctx.is("application/x-www-form-urlencoded") ? await readForm(ctx) : new URLSearchParams();
  const user = typeof ctx.query.user === "string" ? ctx.query.user : undefined;
  ctx.body = await introspect(server, form.get("token") ?? "", resource, user);
}

function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

async function controlRoute(server: AuthServerContext, ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set("cache-control", "no-store");
  if (!isLoopback(ctx.req.socket.remoteAddress)) {
    ctx.status = 403;
    ctx.body = { error: "the control API answers loopback callers only" };
    return;
  }
  if (ctx.method !== "POST") {
    ctx.status = 405;
    ctx.body = { error: "use POST with a JSON body" };
    return;
  }
  const action = ctx.path.slice(ROUTES.control.length + 1);
  try {
    const body = await readJson(ctx);
    ctx.body = await runControlAction(server, action, body);
    ctx.status = 200;
  } catch (error) {
    ctx.status = error instanceof UnknownActionError ? 404 : 400;
    ctx.body = { error: (error as Error).message };
  }
}

class UnknownActionError extends Error {}

async function runControlAction(
  server: AuthServerContext,
  action: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const text = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : undefined);
  const count = (name: string) => (body[name] === undefined ? undefined : Number(body[name]));
  switch (action) {
    case "revoke": {
      const revoked = revokeGrants(server, { user: text("user"), clientId: text("clientId") });
      server.log(
        `control: revoked ${revoked.grants} grant(s), ${revoked.tokens} token(s) of ${text("user") ?? "*"} / ${text("clientId") ?? "*"}`,
      );
      return { ok: true, ...revoked };
    }
    case "ttl": {
      server.control.setLifetimes({
        accessTokenSeconds: count("accessTokenSeconds"),
        refreshTokenSeconds: count("refreshTokenSeconds"),
        clientId: text("clientId"),
      });
      return { ok: true, accessTokenSeconds: server.control.accessTokenSeconds(text("clientId")) };
    }
    case "rotate-keys": {
      const rotated = await server.rotateKeys({ retireOld: body.retireOld === true });
      server.log(`control: signing key rotated to ${rotated.kid}`);
      return { ok: true, ...rotated };
    }
    case "fail-next": {
      const failure = forcedFailure(body);
      server.control.failNext(failure);
      return { ok: true };
    }
    case "slow": {
      server.control.slowNext({
        clientId: text("clientId"),
        delayMs: Number(body.delayMs),
        count: count("count") ?? 1,
      });
      return { ok: true };
    }
    case "token-requests": {
      const clientId = text("clientId");
      if (!clientId) throw new Error("token-requests needs a clientId");
      return { ok: true, count: server.control.tokenRequestCount(clientId, text("grantType") ?? "refresh_token") };
    }
    case "reset": {
      server.control.reset();
      return { ok: true };
    }
    default:
      throw new UnknownActionError(`unknown control action ${action}`);
  }
}

function forcedFailure(body: Record<string, unknown>): ForcedFailure {
  const path = body.path;
  if (path !== "token" && path !== "authorize") throw new Error('fail-next needs path "token" or "authorize"');
  const style = body.style;
  if (style !== undefined && style !== "microsoft" && style !== "google" && style !== "standard") {
    throw new Error('style must be "microsoft", "google" or "standard"');
  }
  if (typeof body.code !== "string" || !body.code)
    throw new Error("fail-next needs a code (AADSTS code or OAuth error)");
  if (style === "microsoft") parseAadstsCode(body.code);
  const optional = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : undefined);
  return {
    path,
    style,
    code: body.code,
    clientId: optional("clientId"),
    error: optional("error"),
    description: optional("description"),
    status: typeof body.status === "number" ? body.status : undefined,
  };
}
