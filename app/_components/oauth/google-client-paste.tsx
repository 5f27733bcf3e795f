"use client";
import { useState } from "react";
import { parseGoogleClientJson, type GoogleClientJson } from "@/lib/oauth/client";

type Filled = Pick<GoogleClientJson, "clientId" | "clientSecret" | "authorizeUrl" | "tokenUrl">;

/** A box for Google Cloud's downloaded client JSON: it fills client id, secret and endpoints, and checks the redirect URIs. */
export function GoogleClientPaste({
  id,
  redirectUrl,
  onFill,
}: {
  id: string;
  redirectUrl: string;
  onFill: (fields: Filled) => void;
}) {
  const [message, setMessage] = useState<{ kind: "error" | "warn" | "ok"; text: string } | null>(null);

  function paste(text: string) {
    const parsed = parseGoogleClientJson(text, redirectUrl);
    if (!parsed)
      return setMessage(text.trim() ? { kind: "error", text: "Paste the whole JSON file, starting with {." } : null);
    if ("error" in parsed) return setMessage({ kind: "error", text: parsed.error });
    const { clientId, clientSecret, authorizeUrl, tokenUrl, redirectWarning } = parsed;
    onFill({ clientId, clientSecret, authorizeUrl, tokenUrl });
    setMessage(
      redirectWarning
        ? { kind: "warn", text: redirectWarning }
        : {
            kind: "ok",
            text: "Client ID, secret and endpoints filled from the file; its redirect URIs include this console's.",
          },
    );
  }

  return (
    <div className="field">
      <label htmlFor={id}>Downloaded client JSON (optional)</label>
      <textarea
        id={id}
        rows={2}
        autoComplete="off"
        placeholder='{"web": {"client_id": …}}'
        onChange={(e) => paste(e.target.value)}
      />
      <p className="field-help">
        Paste the file from Google Cloud (Credentials → OAuth client → Download JSON) to fill the fields below. It is
        not kept as pasted.
      </p>
      {message && (
        <p
          className={
            message.kind === "error" ? "field-error" : message.kind === "warn" ? "alert alert-warn" : "field-help"
          }
          role={message.kind === "ok" ? "status" : "alert"}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
