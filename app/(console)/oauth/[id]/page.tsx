import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth";
import { getConnectionForEdit, redirectUri } from "@/lib/oauth";
import { ConnectionForm } from "../connection-form";

export default async function EditConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser();
  const { id } = await params;
  const stored = await getConnectionForEdit(id);
  if (!stored) notFound();
  return (
    <>
      <div className="page-header"><h1>OAuth connection</h1></div>
      <ConnectionForm stored={stored} redirectUrl={redirectUri()} readOnly={me.role !== "admin"} />
    </>
  );
}
