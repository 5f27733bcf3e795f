// What an admin pastes instead of typing: Google's downloaded client JSON, an Azure tenant or application id
// in whatever form the portal shows it. Pure and client-safe: the form calls these as the admin pastes.

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const WHOLE_GUID = new RegExp(`^\\{?\\s*(${GUID.source})\\s*\\}?$`, "i");
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const TENANT_WORDS = new Set(["common", "organizations", "consumers"]);
// Hosts whose first path segment is the tenant (every Microsoft cloud's sign-in host).
const LOGIN_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoft.com",
  "login.windows.net",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
  "sts.windows.net",
]);

export type GoogleClientJson = {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  redirectUris: string[];
  /** set when our Redirect URL is not among the client's redirect_uris */
  redirectWarning: string | null;
};

/** The whole GUID in `text` (braces, spaces and case as pasted), lower-cased; null when it is not one. */
function wholeGuid(text: string): string | null {
  const m = WHOLE_GUID.exec(text.trim());
  return m ? m[1].toLowerCase() : null;
}

/**
 * Google Cloud's downloaded OAuth client file (`{"web": {...}}` or `{"installed": {...}}`) → the fields it
 * fills. null when the text is not JSON at all (the admin is typing), an error when it is JSON of another kind.
 */
export function parseGoogleClientJson(text: string, redirectUrl: string): GoogleClientJson | { error: string } | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return {
      error:
        "This is not the whole JSON file: paste the client file as downloaded from Google Cloud (Credentials → OAuth client → Download JSON).",
    };
  }
  const root = (parsed ?? {}) as Record<string, unknown>;
  if (root.type === "service_account")
    return { error: "This is a service-account key: choose the provider Google Workspace service account to use it." };
  const client = (root.web ?? root.installed) as Record<string, unknown> | undefined;
  if (!client || typeof client !== "object" || typeof client.client_id !== "string") {
    return {
      error: 'The JSON is not a Google OAuth client file (it has no "web" or "installed" client with a client_id).',
    };
  }
  const str = (v: unknown, fallback: string) => (typeof v === "string" && v ? v : fallback);
  const redirectUris = Array.isArray(client.redirect_uris)
    ? client.redirect_uris.filter((u): u is string => typeof u === "string")
    : [];
  const registered = redirectUris.includes(redirectUrl);
  return {
    clientId: client.client_id.trim(),
    clientSecret: str(client.client_secret, ""),
    authorizeUrl: str(client.auth_uri, "https://accounts.google.com/o/oauth2/v2/auth"),
    tokenUrl: str(client.token_uri, "https://oauth2.googleapis.com/token"),
    redirectUris,
    redirectWarning: registered
      ? null
      : `This client's redirect URIs (${redirectUris.length ? redirectUris.join(", ") : "none"}) do not include ${redirectUrl}: add it under Authorized redirect URIs in Google Cloud, or the sign-in fails with redirect_uri_mismatch.`,
  };
}

/**
 * An Azure tenant as pasted: a GUID (with braces or spaces), a domain (contoso.onmicrosoft.com, contoso.com),
 * common/organizations/consumers, a sign-in URL (https://login.microsoftonline.com/<tenant>/…) or a portal URL
 * that names the tenant (…/tenantId/<guid>, ?tenantId=<guid>, #@contoso.onmicrosoft.com/…).
 */
export function normaliseAzureTenant(text: string): { tenant: string } | { error: string } {
  const raw = text.trim();
  if (!raw) return { tenant: "" };
  const guid = wholeGuid(raw.replace(/\s+/g, ""));
  if (guid) return { tenant: guid };
  if (TENANT_WORDS.has(raw.toLowerCase())) return { tenant: raw.toLowerCase() };
  if (DOMAIN.test(raw)) return { tenant: raw.toLowerCase() };
  const fromUrl = tenantFromUrl(raw);
  if (fromUrl) return { tenant: fromUrl };
  return { error: "Enter the Directory (tenant) ID (a GUID) or a domain of the tenant, e.g. contoso.onmicrosoft.com." };
}

function tenantFromUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const named = /tenantId[/=]([^/&?#]+)/i.exec(raw)?.[1];
  if (named && wholeGuid(decodeURIComponent(named))) return wholeGuid(decodeURIComponent(named));
  if (LOGIN_HOSTS.has(url.hostname.toLowerCase())) {
    const first = decodeURIComponent(url.pathname.split("/").filter(Boolean)[0] ?? "");
    const inner = normaliseAzureTenant(first);
    if (first && "tenant" in inner && inner.tenant) return inner.tenant;
  }
  // The Azure portal names the directory after "#@" (https://portal.azure.com/#@contoso.onmicrosoft.com/…).
  const at = /#@([^/?#]+)/.exec(raw)?.[1];
  if (at) {
    const inner = normaliseAzureTenant(decodeURIComponent(at));
    if ("tenant" in inner && inner.tenant) return inner.tenant;
  }
  return null;
}

/**
 * An Azure Application (client) ID as pasted: a GUID with braces, spaces or capitals, or a portal URL of the
 * app registration (…/appId/<guid>/…). Anything else is returned trimmed, for providers whose ids are no GUIDs.
 */
export function normaliseAzureClientId(text: string): string {
  const raw = text.trim();
  const guid = wholeGuid(raw.replace(/\s+/g, ""));
  if (guid) return guid;
  const fromUrl = /appId[/=]([^/&?#]+)/i.exec(raw)?.[1];
  const inUrl = fromUrl ? wholeGuid(decodeURIComponent(fromUrl)) : null;
  return inUrl ?? raw;
}
