import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { hasAnyAdmin } from "@/lib/users";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (!(await hasAnyAdmin())) redirect("/setup");
  if (await currentUser()) redirect("/");
  return (
    <main className="center-box">
      <SignInForm />
    </main>
  );
}
