// The sign-in and consent steps of the authorization code flow: a real form that checks the rig users'
// passwords, and a consent page whose Deny ends the request with error=access_denied.
import type { InteractionDetails, Middleware } from "oidc-provider";
import { findUser, passwordMatches } from "./identities";
import { consentPage, loginPage } from "./pages";
import { readForm } from "./request-body";
import { ROUTES, type AuthServerContext } from "./server-context";

const INTERACTION_PATH = new RegExp(`^${ROUTES.interaction}/([\\w-]+)(?:/(login|consent))?$`);

export function interactionRoutes(server: AuthServerContext): Middleware {
  return async (ctx, next) => {
    const match = INTERACTION_PATH.exec(ctx.path);
    if (!match) return next();
    const [, uid, step] = match;
    const provider = server.provider();
    ctx.set("cache-control", "no-store");

    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      ctx.status = 400;
      ctx.type = "text/plain";
      ctx.body = "This sign-in request has expired or was already finished. Start again from the application.";
      return;
    }
    if (details.uid !== uid) {
      ctx.status = 400;
      ctx.type = "text/plain";
      ctx.body = "This sign-in request does not belong to this browser session.";
      return;
    }
    const clientId = String(details.params.client_id ?? "");

    if (ctx.method === "GET" && !step) {
      ctx.type = "html";
      if (details.prompt.name === "login") {
        const loginHint = typeof details.params.login_hint === "string" ? details.params.login_hint : undefined;
        ctx.body = loginPage({ action: `${ROUTES.interaction}/${uid}/login`, clientId, loginHint });
      } else {
        ctx.body = consentPage({
          action: `${ROUTES.interaction}/${uid}/consent`,
          clientId,
          account: details.session?.accountId ?? "",
          scopes: requestedScopes(details),
        });
      }
      return;
    }

    if (ctx.method === "POST" && step === "login") {
      const form = await readForm(ctx);
      const username = form.get("username") ?? "";
      const user = findUser(server.identities, username);
      if (!user || !passwordMatches(user, form.get("password") ?? "")) {
        server.log(`sign-in refused for ${username}`);
        ctx.status = 401;
        ctx.type = "html";
        ctx.body = loginPage({
          action: `${ROUTES.interaction}/${uid}/login`,
          clientId,
          loginHint: username,
          error: "Wrong email or password.",
        });
        return;
      }
      const returnTo = await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: user.username } },
        { mergeWithLastSubmission: false },
      );
      ctx.status = 303;
      ctx.redirect(returnTo);
      return;
    }

    if (ctx.method === "POST" && step === "consent") {
      const form = await readForm(ctx);
      const result = form.get("decision") === "approve" ? { consent: await approve(server, details) } : denial(details);
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
      ctx.status = 303;
      ctx.redirect(returnTo);
      return;
    }

    return next();
  };
}

function requestedScopes(details: InteractionDetails): string[] {
  const scopes = typeof details.params.scope === "string" ? details.params.scope.split(" ").filter(Boolean) : [];
  if (details.params.rig_offline) scopes.push("offline_access");
  return scopes;
}

/** Grants what the request is missing, including offline access when it asked for a refresh token. */
async function approve(server: AuthServerContext, details: InteractionDetails): Promise<{ grantId: string }> {
  const provider = server.provider();
  const accountId = details.session?.accountId;
  if (!accountId) throw new Error("consent without a signed-in account");
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });

  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const oidcScopes = [...(missing.missingOIDCScope ?? [])];
  if (details.params.rig_offline) oidcScopes.push("offline_access");
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(" "));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(" "));
  }
  return { grantId: await grant.save() };
}

function denial(details: InteractionDetails): Record<string, unknown> {
  const description =
    details.params.rig_style === "microsoft"
      ? "AADSTS65004: User declined to consent to access the app."
      : "The user denied the request.";
  return { error: "access_denied", error_description: description };
}
