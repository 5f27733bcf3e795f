// A fetched mail as the console shows it: what could not be shown first (in plain words), the headers and
// names with hidden characters made visible, the text, the sanitized HTML in a sandboxed frame whose links
// open in a new tab, and the attachment list. Shared by the sample fetch and the request pages.
import type { MailPreview } from "@/lib/mail/incoming/client";
import { PREVIEW_FRAME_SANDBOX, previewFrameDocument, visibleName } from "@/lib/mail/display/client";

function bytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function MailPreviewView({ mail, folder }: { mail: MailPreview; folder?: string }) {
  return (
    <div className="card stack">
      {folder !== undefined && (
        <p className="muted">
          The oldest mail in {visibleName(folder)}, {bytes(mail.size)}
        </p>
      )}
      <h2>{mail.subject ? visibleName(mail.subject) : "(no subject)"}</h2>
      {mail.notices.length > 0 && (
        <div className="alert alert-warn" role="note" aria-label="What the preview cannot show">
          <ul>
            {mail.notices.map((notice, i) => (
              <li key={i}>{notice}</li>
            ))}
          </ul>
          {mail.parserSaid && (
            <p className="muted">
              The MIME parser said: <code>{mail.parserSaid}</code>
            </p>
          )}
        </div>
      )}
      <table className="table">
        <tbody>
          {mail.headers.map((h, i) => (
            <tr key={i}>
              <th>{h.name}</th>
              <td className="wrap-anywhere">{visibleName(h.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Text</h3>
      <pre className="transcript">
        {mail.text}
        {mail.textTruncated ? "\n[…]" : ""}
      </pre>
      {mail.safeHtml && (
        <>
          <h3>HTML preview</h3>
          <p className="field-help">
            Links show where they really lead and open in a new tab; remote images are not loaded.
          </p>
          {/* sanitized on the server; the frame runs no script and never navigates itself */}
          <iframe
            title="HTML preview"
            sandbox={PREVIEW_FRAME_SANDBOX}
            referrerPolicy="no-referrer"
            srcDoc={previewFrameDocument(mail.safeHtml)}
            className="mail-frame"
          />
        </>
      )}
      <h3>Attachments{mail.attachmentCount > 0 ? ` (${mail.attachmentCount})` : ""}</h3>
      {mail.attachments.length === 0 ? (
        <p className="muted">{mail.attachmentCount > 0 ? "None could be listed by name." : "None"}</p>
      ) : (
        <ul aria-label="Attachments">
          {mail.attachments.map((a, i) => (
            <li key={i}>
              <span className="attachment-name">{visibleName(a.filename)}</span> ({a.contentType}, {bytes(a.size)})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
