import { redirect } from "next/navigation";
import { hasAnyAdmin } from "@/lib/users";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (await hasAnyAdmin()) redirect("/signin");
  return (
    <main className="center-box">
      <SetupForm />
    </main>
  );
}
