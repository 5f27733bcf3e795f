"use server";
import { redirect } from "next/navigation";
import { signIn } from "@/lib/auth";
import { fieldErrorsOf } from "@/lib/forms";
import { UserFacingError } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";
import { createFirstAdmin, firstAdminSchema, type FirstAdminInput } from "@/lib/users";

export type SetupResult = { error?: string; fieldErrors?: Record<string, string> };

// Public only while no administrator exists; createFirstAdmin refuses otherwise, inside one transaction.
export async function createFirstAdminAction(input: FirstAdminInput): Promise<SetupResult> {
  const parsed = firstAdminSchema.safeParse(input);
  if (!parsed.success)
    return { error: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    await createFirstAdmin(parsed.data);
  } catch (error) {
    if (error instanceof UserFacingError) return { error: error.message };
    return { error: `Setup failed. The error was logged with id ${logUnexpected("first admin", error)}.` };
  }
  await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirect: false });
  redirect("/");
}
