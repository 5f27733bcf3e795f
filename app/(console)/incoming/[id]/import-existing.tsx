"use client";
import { useState, useTransition } from "react";
import { importSinceSchema } from "@/lib/fetcher/client";
import { importSinceAction } from "../actions";

/** Import the mail already in the mailbox since a date (the first connection imports only new mail). */
export function ImportExisting({ id }: { id: string }) {
  const [pending, startTransition] = useTransition();
  const [since, setSince] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const parsed = importSinceSchema.safeParse({ id, since });
    if (!parsed.success) return setMessage({ ok: false, text: parsed.error.issues[0]?.message ?? "Enter a date." });
    startTransition(async () => {
      const result = await importSinceAction({ id, since });
      setMessage(
        result.ok
          ? { ok: true, text: "The import starts with the next fetch; no acknowledgement is sent for imported mail." }
          : { ok: false, text: result.error },
      );
    });
  };
  return (
    <form className="actions" onSubmit={submit}>
      <label htmlFor="import-since">Import existing mail received since</label>
      <input id="import-since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
      <button className="btn" type="submit" disabled={pending}>
        Import
      </button>
      {message && (
        <span role="status" className={message.ok ? "" : "field-error"}>
          {message.text}
        </span>
      )}
    </form>
  );
}
