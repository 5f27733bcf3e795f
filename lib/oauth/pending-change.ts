import "server-only";
// A change to a working interactive grant waits here until a consent under the new settings succeeds: a
// failed or abandoned sign-in must leave the old settings and tokens as they were. The change travels from the
// connection to the sign-in's state and is applied in the same write that stores the new tokens.
import type { OAuthApplication, OAuthConnection } from "@/lib/db";
import type { ApplicationData } from "./application-fields";

export type ConnectionSettings = {
  direction: string;
  grantType: string;
  scope: string;
  loginHint: string | null;
  subject: string | null;
};

export type PendingChange = {
  /** another stored application the connection moves to */
  applicationId?: string;
  /** new fields for the connection's own application (used by no other connection) */
  application?: ApplicationData;
  connection: ConnectionSettings;
};

export const serializePending = (change: PendingChange): string => JSON.stringify(change);

export function parsePending(text: string | null | undefined): PendingChange | null {
  if (!text) return null;
  const parsed = JSON.parse(text) as PendingChange;
  return parsed && typeof parsed.connection === "object" ? parsed : null;
}

/** The application and connection as they will be once `change` is applied (a secret left blank stays). */
export function withPending<A extends OAuthApplication, C extends OAuthConnection>(
  app: A,
  conn: C,
  change: PendingChange | null,
  movedTo?: A | null,
): { application: A; connection: C } {
  if (!change) return { application: app, connection: conn };
  const base = change.applicationId && movedTo ? movedTo : app;
  return {
    application: { ...base, ...(change.application ?? {}) } as A,
    connection: { ...conn, ...change.connection, applicationId: base.id } as C,
  };
}
