// Token checks shared by the doubles. Validity and mailbox rights come from the authorization server's
// introspection (introspect(token, resource, user)); only the kind of token (app-only or a user's) and, for
// error texts, its audience and expiry are read from the JWT claims themselves, never trusted for access.
export type Introspect = (
  token: string,
  resource: "mail" | "graph" | "ews",
  user?: string,
) => Promise<Record<string, unknown>>;

export type TokenClaims = {
  aud?: string | string[];
  exp?: number;
  email?: string;
  preferred_username?: string;
  upn?: string;
  roles?: string[];
  [claim: string]: unknown;
};

/** The JWT payload without verifying it (null for anything that is not a JWT). */
export function readClaims(token: string): TokenClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as unknown;
    return payload && typeof payload === "object" ? (payload as TokenClaims) : null;
  } catch {
    return null;
  }
}

/** The user a delegated token acts for; null for an app-only (client credentials) token. */
export function tokenUser(claims: TokenClaims | null): string | null {
  const user = claims?.email ?? claims?.preferred_username ?? claims?.upn;
  return typeof user === "string" && user.includes("@") ? user.toLowerCase() : null;
}

export type MailboxAccess =
  { ok: true; exp: number | null; appOnly: boolean } | { ok: false; reason: "invalid" | "no-access" };

/** Whether `token` may open `mailbox` at `resource`: valid at all, and the introspected user is that mailbox. */
export async function checkMailboxAccess(
  introspect: Introspect,
  token: string,
  resource: "mail" | "graph" | "ews",
  mailbox: string,
): Promise<MailboxAccess> {
  let answer: Record<string, unknown>;
  try {
    answer = await introspect(token, resource, mailbox);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (answer.active !== true) return { ok: false, reason: "invalid" };
  if (String(answer.username ?? "").toLowerCase() !== mailbox.toLowerCase()) return { ok: false, reason: "no-access" };
  const claims = readClaims(token);
  return { ok: true, exp: typeof answer.exp === "number" ? answer.exp : null, appOnly: tokenUser(claims) === null };
}

/** Parses a SASL XOAUTH2 initial response: "user=<u>^Aauth=Bearer <token>^A^A". */
export function parseXoauth2(base64: string): { user: string; token: string } | null {
  const text = Buffer.from(base64.trim(), "base64").toString("utf8");
  const fields = new Map<string, string>();
  for (const part of text.split("\x01")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  const user = fields.get("user");
  const auth = fields.get("auth");
  const match = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  return user && match ? { user, token: match[1] } : null;
}

export function tokenPrefix(token: string): string {
  return `${token.slice(0, 8)}…`;
}
