"use server";
import { signOut } from "@/lib/auth";

// Signing out needs no role: whoever holds the session may end it.
export async function signOutAction() {
  await signOut({ redirectTo: "/signin" });
}
