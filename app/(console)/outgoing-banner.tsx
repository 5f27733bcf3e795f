import Link from "next/link";
import { outgoingBannerStatus } from "@/lib/mail/outgoing";

/** Shown on every console page while sending mail fails, until a send works again. */
export async function OutgoingBanner() {
  const status = await outgoingBannerStatus();
  if (!status || (status.status !== "failing" && status.status !== "reconnect_needed")) return null;
  return (
    <div className="alert alert-error" role="alert" aria-label="Sending mail fails">
      {status.status === "reconnect_needed" ? "Outgoing mail needs Reconnect: " : "Sending mail fails: "}
      <code>{status.lastError}</code> — queued messages are kept and retried.{" "}
      <Link href="/outgoing">Outgoing mail settings</Link>
    </div>
  );
}
