"use server";
import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { signIn, signInThrottled } from "@/lib/auth";
import { signInSchema } from "@/lib/users";
import { logUnexpected } from "@/lib/log";

export type SignInState = { error?: string };

// Public by design: this is how a signed-out visitor becomes signed in.
export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const parsed = signInSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return { error: "Enter your email address and password." };
  if (await signInThrottled(parsed.data.email, await headers())) {
    return { error: "Too many failed sign-ins. Wait 15 minutes and try again." };
  }
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: "/" });
    return {};
  } catch (error) {
    if (error instanceof AuthError) {
      // Same words whether the account exists, is disabled or the password is wrong.
      return { error: "Wrong email address or password." };
    }
    if (error && typeof error === "object" && "digest" in error) throw error; // the success redirect
    return { error: `Sign-in failed. The error was logged with id ${logUnexpected("sign-in", error)}.` };
  }
}
