import { requirePageUser } from "@/lib/auth";
import { listApplicationChoices, redirectUri } from "@/lib/oauth";
import { ConnectionForm } from "../connection-form";

export default async function NewConnectionPage() {
  const me = await requirePageUser();
  const applications = me.role === "admin" ? await listApplicationChoices() : [];
  return (
    <>
      <div className="page-header">
        <h1>New OAuth connection</h1>
      </div>
      <ConnectionForm
        stored={null}
        applications={applications}
        redirectUrl={redirectUri()}
        readOnly={me.role !== "admin"}
      />
    </>
  );
}
