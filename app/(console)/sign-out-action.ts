"use server";
import { currentUser, signOut } from "@/lib/auth";
import { endSessions } from "@/lib/users";

// Signing out needs no role. The session version is bumped as well, because a request still in flight
// (a prefetch) could otherwise hand the browser a refreshed session cookie after the cookie was cleared.
export async function signOutAction() {
  const user = await currentUser();
  if (user) await endSessions(user.id);
  await signOut({ redirectTo: "/signin" });
}
