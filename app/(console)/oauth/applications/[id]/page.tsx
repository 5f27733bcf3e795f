import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getApplicationForEdit, redirectUri } from "@/lib/oauth";
import { StatusBadge } from "../../status-badge";
import { ApplicationForm } from "./application-form";

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  const { id } = await params;
  const app = await getApplicationForEdit(id);
  if (!app) notFound();
  return (
    <>
      <div className="page-header">
        <h1>OAuth application</h1>
      </div>
      <section className="card stack" aria-label="Connections of this application">
        <p className="muted">
          {app.name}: the client registration every connection below uses. A change here applies to all of them.
        </p>
        <ul>
          {app.connections.map((c) => (
            <li key={c.id}>
              <Link href={`/oauth/${c.id}`}>{c.loginHint ?? c.subject ?? c.id}</Link> <StatusBadge status={c.status} />
            </li>
          ))}
        </ul>
      </section>
      <ApplicationForm stored={app} redirectUrl={redirectUri()} readOnly={me.role !== "admin"} />
    </>
  );
}
