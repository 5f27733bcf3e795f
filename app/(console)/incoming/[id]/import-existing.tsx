"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, useTransition } from "react";
import { importSinceSchema } from "@/lib/fetcher/client";
import type { IncomingProtocol } from "@/lib/mail/incoming/client";
import { importSinceAction } from "../actions";

const POP_HINT =
  "POP3 has no date search: the header of every message is read (TOP, nothing is marked read) and its newest Received: line, else its Date:, decides. A message without a readable date is imported; a server without TOP imports everything.";

/** How each protocol decides which mail was received since the date. */
const HOW_DATED: Record<IncomingProtocol, string> = {
  imap: "The server's search by received date decides (IMAP SEARCH SINCE, whole days).",
  imaps: "The server's search by received date decides (IMAP SEARCH SINCE, whole days).",
  graph: "Microsoft Graph's received date decides (receivedDateTime).",
  ews: "Exchange's received date decides (DateTimeReceived).",
  pop: POP_HINT,
  pops: POP_HINT,
};

/** Import the mail already in the mailbox since a date (the first connection imports only new mail). */
export function ImportExisting({ id, protocol }: { id: string; protocol: IncomingProtocol }) {
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
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
    <form method="post" className="actions" onSubmit={submit}>
      <label htmlFor="import-since">Import existing mail received since</label>
      <input id="import-since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
      <button className="btn" type="submit" disabled={busy}>
        Import
      </button>
      <span className="field-help">{HOW_DATED[protocol]}</span>
      {message && (
        <span role="status" className={message.ok ? "" : "field-error"}>
          {message.text}
        </span>
      )}
    </form>
  );
}
