import "server-only";
// Who consented, compared with the mailbox the grant is for. An IdP session open for another user otherwise
// hands the mailbox that user's grant without a question. A shared mailbox is opened by a delegate whose name
// differs, so a mismatch is shown, not refused.
import { db } from "@/lib/db";

/** Signed in as someone else than the mailbox, or (signedInAs null) as an account the provider did not name. */
export type IdentityMismatch = { signedInAs: string | null; mailbox: string };

/** The consenting account named by an ID token's (or userinfo's) claims. */
export function signedInIdentity(claims: Record<string, unknown> | undefined | null): string | null {
  if (!claims) return null;
  const found = [claims.email, claims.preferred_username, claims.upn].find(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
  return found ?? null;
}

/** Every name the mailbox of a connection goes by: the login hint, its mailboxes' user names and addresses. */
export async function mailboxIdentities(connectionId: string, loginHint: string | null): Promise<string[]> {
  const mailboxes = await db().incomingMailbox.findMany({
    where: { connectionId },
    select: { username: true, emailAddresses: true },
  });
  const names = [loginHint ?? ""];
  for (const m of mailboxes) {
    names.push(m.username);
    try {
      const addresses = JSON.parse(m.emailAddresses) as unknown;
      if (Array.isArray(addresses)) names.push(...addresses.filter((a): a is string => typeof a === "string"));
    } catch {
      // a malformed address list names nobody
    }
  }
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))];
}

/**
 * Null when the consenting account is the mailbox's. An account nobody named (no ID token, no userinfo) is not
 * taken for a match: the admin is told it could not be checked.
 */
export function identityMismatch(signedInAs: string | null, identities: string[]): IdentityMismatch | null {
  if (identities.length === 0) return null;
  if (!signedInAs) return { signedInAs: null, mailbox: identities[0] };
  if (identities.includes(signedInAs.trim().toLowerCase())) return null;
  return { signedInAs, mailbox: identities[0] };
}
