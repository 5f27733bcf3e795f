import type { getMail } from "@/lib/requests";
import { MAIL_STATE_LABEL, sizeOf, when } from "./labels";

type Mail = NonNullable<Awaited<ReturnType<typeof getMail>>>;

/** One fetched mail: sender, state, text, the sanitized HTML in a sandboxed frame, attachments to download. */
export function MailMessage({ mail }: { mail: Omit<Mail, "requestId"> }) {
  const state = MAIL_STATE_LABEL[mail.state] ?? { text: mail.state, badge: "" };
  return (
    <article className="card stack" aria-label={`Mail from ${mail.fromAddress || "unknown sender"}`}>
      <div>
        <strong>{mail.fromName ? `${mail.fromName} <${mail.fromAddress}>` : mail.fromAddress || "(no sender)"}</strong>{" "}
        <span className="muted">{when(mail.sentAt ?? mail.fetchedAt)}</span>{" "}
        <span className={`badge ${state.badge}`}>{state.text}</span>
        {mail.imported && <span className="badge">Imported</span>}
        {mail.extractState === "failed" && <span className="badge badge-error">Flagged</span>}
      </div>
      <div>
        <strong>{mail.subject || "(no subject)"}</strong>
      </div>
      {mail.reason && <p className="muted">{mail.reason}</p>}
      {mail.extractState === "pending" && <p className="muted">The body is being read; reload in a moment.</p>}
      {mail.hasHtml ? (
        // The frame's own response carries a CSP without script; the sandbox keeps it away from this page.
        <iframe
          title="Mail body"
          src={`/api/requests/mail/${mail.id}/html`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          style={{ width: "100%", minHeight: "16rem", border: "1px solid var(--line)" }}
        />
      ) : (
        mail.bodyText && <pre style={{ whiteSpace: "pre-wrap" }}>{mail.bodyText}</pre>
      )}
      {mail.attachments.length > 0 && (
        <ul aria-label="Attachments">
          {mail.attachments.map((a) => (
            <li key={a.id}>
              <a href={`/api/requests/attachments/${a.id}`} download>
                {a.filename}
              </a>{" "}
              <span className="muted">
                {a.contentType}, {sizeOf(a.size)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="muted">
        Raw message: {sizeOf(mail.rawSize)} (
        <a href={`/api/requests/mail/${mail.id}/raw`} download>
          download .eml
        </a>
        ) · Message-ID {mail.messageId ?? "none"} · mailbox {mail.mailbox.name}
      </div>
    </article>
  );
}
