"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { replySchema } from "@/lib/requests/client";
import { sendReplyAction } from "./actions";

/** A plain-text reply to the request's sender; it is queued in the outbox and shown in the thread. */
export function ReplyForm({ requestId, to, subject }: { requestId: string; to: string; subject: string }) {
  const [text, setText] = useState("");
  // One id per reply being written: a double submit or a retry after a lost answer queues one mail.
  const [submissionId, setSubmissionId] = useState(() => crypto.randomUUID());
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  const router = useRouter();

  function send() {
    const parsed = replySchema.safeParse({ requestId, submissionId, text });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? "Write the reply.");
    setError(null);
    startTransition(async () => {
      const result = await sendReplyAction(parsed.data);
      if (!result.ok) return setError(result.fieldErrors?.text ?? result.error);
      setText("");
      setSubmissionId(crypto.randomUUID());
      router.refresh();
    });
  }

  return (
    <form
      method="post"
      className="form card"
      aria-label="Reply"
      aria-busy={pending}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <h2>Reply</h2>
      <p className="muted">
        To {to} · Subject {subject}
      </p>
      <div className="field">
        <label htmlFor="replyText">Message</label>
        <textarea id="replyText" rows={8} value={text} onChange={(e) => setText(e.target.value)} disabled={busy} />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="btn" disabled={busy}>
          Send reply
        </button>
      </div>
      {pending && (
        <p className="muted" role="status">
          Queuing…
        </p>
      )}
    </form>
  );
}
