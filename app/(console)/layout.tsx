import type { ReactNode } from "react";
import { requirePageUser } from "@/lib/auth";
import { NavLinks } from "./nav-links";
import { OutgoingBanner } from "./outgoing-banner";
import { signOutAction } from "./sign-out-action";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <div className="brand">Mailbridge</div>
        <NavLinks />
        <div className="who">
          <div>{user.name || user.email}</div>
          <div className="muted">{user.role === "admin" ? "Administrator" : "Viewer"}</div>
          <form action={signOutAction}>
            <button className="btn btn-secondary" type="submit">
              Sign out
            </button>
          </form>
        </div>
      </nav>
      <main className="main">
        <OutgoingBanner />
        {children}
      </main>
    </div>
  );
}
