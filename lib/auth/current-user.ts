import "server-only";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { auth } from "./auth";

export type Role = "admin" | "viewer";
export type SessionUser = { id: string; email: string; name: string; role: Role };

export class AccessDenied extends Error {
  constructor(readonly reason: "signed_out" | "forbidden") {
    super(reason === "signed_out" ? "Please sign in." : "Your role does not allow this change.");
    this.name = "AccessDenied";
  }
}

/** The signed-in user as the database knows them now: disabled users and stale sessions count as signed out. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db().user.findUnique({ where: { id } });
  const sv = (session as { sv?: number }).sv;
  if (!user || user.disabled || user.sessionVersion !== sv) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "viewer" };
}

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
