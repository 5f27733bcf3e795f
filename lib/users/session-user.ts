import "server-only";
import { onPeerMessage, tellPeers } from "@/lib/cluster";
import { db } from "@/lib/db";

/** The columns a session is checked against. */
export type SessionUserRow = {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
  sessionVersion: number;
};

/**
 * Every console request checks its user in the database; for a busy console that is a query per request for
 * the same few rows. A row is remembered for a short while: changes made by this process (user-service.ts) forget
 * it at once, and so do the console's other web processes when told (lib/cluster); changes by another
 * instance or the CLI take effect within TTL_MS.
 */
const TTL_MS = 3000;
const MAX_REMEMBERED = 1000;
// On globalThis: the pages and the server actions that change users must share one map, however the bundler
// splits the modules.
const shared = globalThis as unknown as {
  mailbridgeSessionUsers?: Map<string, { row: SessionUserRow | null; until: number }>;
};
const remembered = (shared.mailbridgeSessionUsers ??= new Map());
onPeerMessage("forget-session-user", (id) => remembered.delete(id));

export function rememberedSessionUser(id: string, now = Date.now()): SessionUserRow | null | undefined {
  const entry = remembered.get(id);
  if (!entry) return undefined;
  if (entry.until <= now) {
    remembered.delete(id);
    return undefined;
  }
  return entry.row;
}

export function rememberSessionUser(id: string, row: SessionUserRow | null, now = Date.now()): void {
  if (remembered.size >= MAX_REMEMBERED && !remembered.has(id)) remembered.delete(remembered.keys().next().value!);
  remembered.set(id, { row, until: now + TTL_MS });
}

/** Called by every change to a user (role, disabled, password, ended sessions). */
export function forgetSessionUser(id: string): void {
  remembered.delete(id);
  tellPeers("forget-session-user", id);
}

/** The user a session names, as the database knows them (at most TTL_MS old); null when there is none. */
export async function findSessionUser(id: string): Promise<SessionUserRow | null> {
  const known = rememberedSessionUser(id);
  if (known !== undefined) return known;
  const row = await db().user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, role: true, disabled: true, sessionVersion: true },
  });
  rememberSessionUser(id, row);
  return row;
}
