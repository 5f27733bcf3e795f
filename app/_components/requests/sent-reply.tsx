import type { listReplies } from "@/lib/requests";
import { when } from "./labels";

type Reply = Awaited<ReturnType<typeof listReplies>>[number];

const STATE: Record<string, { text: string; badge: string }> = {
  queued: { text: "Queued", badge: "badge-warn" },
  sending: { text: "Sending", badge: "badge-warn" },
  sent: { text: "Sent", badge: "badge-ok" },
  failed: { text: "Failed", badge: "badge-error" },
  cancelled: { text: "Cancelled", badge: "" },
};

/** A reply written in the console, as the outbox holds it: its state, and the last error while it fails. */
export function SentReply({ reply }: { reply: Reply }) {
  const state = STATE[reply.state] ?? { text: reply.state, badge: "" };
  const to = (JSON.parse(reply.toAddresses) as string[]).join(", ");
  return (
    <article className="card stack" aria-label={`Reply to ${to}`}>
      <div>
        <strong>Reply from {reply.fromAddress}</strong>{" "}
        <span className="muted">
          to {to} · {when(reply.sentAt ?? reply.createdAt)}
        </span>{" "}
        <span className={`badge ${state.badge}`}>{state.text}</span>
      </div>
      <div>
        <strong>{reply.subject}</strong>
      </div>
      {reply.lastError && reply.state !== "sent" && (
        <p className="muted">
          Last error (attempt {reply.attempts}): {reply.lastError}
        </p>
      )}
      {reply.bodyText && <pre style={{ whiteSpace: "pre-wrap" }}>{reply.bodyText}</pre>}
    </article>
  );
}
