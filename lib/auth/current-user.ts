import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { findSessionUser } from "@/lib/users";
import { readSessionToken } from "./session-token";

export type Role = "admin" | "viewer";
export type SessionUser = { id: string; email: string; name: string; role: Role };

export class AccessDenied extends Error {
  constructor(readonly reason: "signed_out" | "forbidden") {
    super(reason === "signed_out" ? "Please sign in." : "Your role does not allow this change.");
    this.name = "AccessDenied";
  }
}

/**
 * The signed-in user as the database knows them now: disabled users and stale sessions count as signed out.
 * Once per request (layout, page and actions share it). The row is remembered for a few seconds
 * (lib/users/session-user.ts): disabling a user or ending their sessions takes effect at their next click in this
 * process, and within seconds on any other.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await readSessionToken(await headers());
  if (!session) return null;
  const user = await findSessionUser(session.userId);
  if (!user || user.disabled || user.sessionVersion !== session.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "viewer" };
});

/** For pages: sends a signed-out visitor to the sign-in page. */
export async function requirePageUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return user;
}

/** For server actions and route handlers: throws AccessDenied, which they turn into a refusal. */
export async function requireUser(role: Role = "viewer"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new AccessDenied("signed_out");
  if (role === "admin" && user.role !== "admin") throw new AccessDenied("forbidden");
  return user;
}
