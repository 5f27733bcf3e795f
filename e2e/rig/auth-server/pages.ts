// The HTML the authorization server shows to a person: sign-in, consent, and error pages. Plain forms,
// no scripts, labelled fields and named buttons so browser tests can find them by role.
import type { KoaContextWithOIDC } from "oidc-provider";
import { microsoftAuthorizeErrorText } from "./microsoft-errors";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

export function loginPage(opts: { action: string; clientId: string; loginHint?: string; error?: string }): string {
  return page(
    "Sign in to the rig",
    `<p>Application <code>${escapeHtml(opts.clientId)}</code> wants you to sign in.</p>
${opts.error ? `<p role="alert">${escapeHtml(opts.error)}</p>` : ""}
<form method="post" action="${escapeHtml(opts.action)}">
<p><label for="username">Email</label><br><input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(opts.loginHint ?? "")}"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}

export function consentPage(opts: { action: string; clientId: string; account: string; scopes: string[] }): string {
  const items = opts.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("");
  return page(
    "Permissions requested",
    `<p>Signed in as <strong>${escapeHtml(opts.account)}</strong>.</p>
<p>Application <code>${escapeHtml(opts.clientId)}</code> asks for:</p>
<ul>${items || "<li>basic access</li>"}</ul>
<form method="post" action="${escapeHtml(opts.action)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function renderErrorPage(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): void {
  const style = ctx.oidc?.params?.rig_style;
  const description = style === "microsoft" ? microsoftAuthorizeErrorText(ctx, out) : (out.error_description ?? "");
  ctx.type = "html";
  ctx.body = page(
    "Sign-in error",
    `<p>Sorry, but we're having trouble signing you in.</p>
<p><code data-error="${escapeHtml(out.error)}">${escapeHtml(out.error)}</code></p>
<p data-testid="error-description">${escapeHtml(description)}</p>`,
  );
}
