import { requirePageUser } from "@/lib/auth";
import { redirectUri } from "@/lib/oauth";
import { ConnectionForm } from "../connection-form";

export default async function NewConnectionPage() {
  const me = await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>New OAuth connection</h1></div>
      <ConnectionForm stored={null} redirectUrl={redirectUri()} readOnly={me.role !== "admin"} />
    </>
  );
}
