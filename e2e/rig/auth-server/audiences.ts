// Microsoft v2 style audiences: the resource (and so the access token's `aud`) follows from the requested
// scopes, one resource per token. The same identifiers are used as RFC 8707 resource indicators.
export const AUDIENCES = {
  outlook: "https://outlook.office.com",
  graph: "https://graph.microsoft.com",
  gmail: "https://mail.google.com/",
  rigMail: "urn:rig:mail",
} as const;

export type Audience = (typeof AUDIENCES)[keyof typeof AUDIENCES];
export type IntrospectionResource = "mail" | "graph" | "ews";

/** OpenID Connect scopes: they say what the grant allows, not which resource the token is for. */
export const OIDC_SCOPES = ["openid", "offline_access", "email", "profile"];

/** Which audiences each server of the rig accepts. */
export const ACCEPTED_AUDIENCES: Record<IntrospectionResource, readonly Audience[]> = {
  mail: [AUDIENCES.outlook, AUDIENCES.gmail, AUDIENCES.rigMail],
  graph: [AUDIENCES.graph],
  ews: [AUDIENCES.outlook],
};

export function audienceOfScope(scope: string): Audience {
  const lower = scope.toLowerCase();
  if (lower.startsWith("https://outlook.office.com/") || lower.startsWith("https://outlook.office365.com/"))
    return AUDIENCES.outlook;
  if (lower.startsWith("https://graph.microsoft.com/")) return AUDIENCES.graph;
  if (lower === AUDIENCES.gmail) return AUDIENCES.gmail;
  return AUDIENCES.rigMail;
}

export function isAudience(value: string): value is Audience {
  return (Object.values(AUDIENCES) as string[]).includes(value);
}

export function splitScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(" ").filter(Boolean))];
}

export function resourceScopes(scopes: Iterable<string>): string[] {
  return [...scopes].filter((scope) => !OIDC_SCOPES.includes(scope));
}

/**
 * The one audience the scopes ask for; the rig's mail audience when they name no resource at all.
 * Throws when scopes of more than one resource are mixed (Microsoft refuses that too: AADSTS70011).
 */
export function audienceOfScopes(scopes: Iterable<string>): Audience {
  const audiences = new Set(resourceScopes(scopes).map(audienceOfScope));
  if (audiences.size > 1) throw new MixedResourcesError([...audiences]);
  return [...audiences][0] ?? AUDIENCES.rigMail;
}

export class MixedResourcesError extends Error {
  constructor(readonly audiences: string[]) {
    super(`scopes of more than one resource requested (${audiences.join(", ")}); request one resource per token`);
  }
}
