import { requirePageUser } from "@/lib/auth";
import { checkHealth } from "@/lib/health";

export default async function DashboardPage() {
  const user = await requirePageUser();
  const health = await checkHealth();
  return (
    <>
      <div className="page-header"><h1>Dashboard</h1></div>
      <section className="card">
        <h2>Welcome, {user.name || user.email}</h2>
        <p className="muted">
          Mailbridge {health.version} · database {health.database}. Set up an OAuth application, then add your mailboxes under
          Incoming mail and press <strong>Fetch a sample mail</strong> to prove the settings work.
        </p>
      </section>
    </>
  );
}
