import { requirePageUser } from "@/lib/auth";
import { getOutgoingForEdit, getOutgoingStatus, listOutbox } from "@/lib/mail/outgoing";
import { getConnectionForEdit, listApplicationChoices, redirectUri } from "@/lib/oauth";
import { OutboxTable, type OutboxRow } from "./outbox-table";
import { OutgoingForm } from "./outgoing-form";
import { TransportStatus } from "./transport-status";

export default async function OutgoingPage() {
  const me = await requirePageUser();
  const saved = await getOutgoingForEdit();
  const oauth = saved?.connectionId ? await getConnectionForEdit(saved.connectionId) : null;
  const applications = me.role === "admin" && !oauth ? await listApplicationChoices() : [];
  const status = await getOutgoingStatus();
  const outbox: OutboxRow[] = (await listOutbox({ take: 50 })).map((m) => ({
    ...m,
    to: (JSON.parse(m.toAddresses) as string[]).join(", "),
    hint: m.hint ? JSON.parse(m.hint) : null,
    nextAttemptAt: m.nextAttemptAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  }));
  return (
    <>
      <div className="page-header">
        <h1>Outgoing mail</h1>
      </div>
      {status && <TransportStatus status={status} />}
      <OutgoingForm
        saved={saved}
        oauth={oauth}
        applications={applications}
        readOnly={me.role !== "admin"}
        redirectUrl={redirectUri()}
      />
      <section className="stack">
        <h2>Outbox</h2>
        <OutboxTable rows={outbox} readOnly={me.role !== "admin"} />
      </section>
    </>
  );
}
