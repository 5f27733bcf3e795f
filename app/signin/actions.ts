"use server";
import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { signIn, signInWaitMs } from "@/lib/auth";
import { signInSchema } from "@/lib/users";
import { logUnexpected } from "@/lib/log";

export type SignInState = { error?: string };

function tooManyTries(waitMs: number): string {
  const seconds = Math.ceil(waitMs / 1000);
  const wait = seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many failed sign-ins for this account from your address. Wait ${wait} and try again.`;
}

// Public by design: this is how a signed-out visitor becomes signed in.
export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const parsed = signInSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return { error: "Enter your email address and password." };
  const waitMs = await signInWaitMs(parsed.data.email, await headers());
  if (waitMs > 0) return { error: tooManyTries(waitMs) };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: "/" });
    return {};
  } catch (error) {
    if (error instanceof CredentialsSignin && error.code === "throttled") return { error: tooManyTries(1000) };
    if (error instanceof AuthError) {
      // Same words whether the account exists, is disabled or the password is wrong.
      return { error: "Wrong email address or password." };
    }
    if (error && typeof error === "object" && "digest" in error) throw error; // the success redirect
    return { error: `Sign-in failed. The error was logged with id ${logUnexpected("sign-in", error)}.` };
  }
}
