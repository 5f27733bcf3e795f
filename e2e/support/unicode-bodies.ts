// Mail whose text and HTML go beyond ASCII, fetched and extracted, then read back through the ORM: the same check
// on SQLite and on PostgreSQL (the bodies reach the driver as UTF-8 bytes, bound as text).
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import type { RigInfo } from "@/e2e/rig/info";
import { db } from "@/lib/db";
import { createTestMailbox, mail } from "./fetcher-fixtures";
import { uniqueName } from "./mail-fixtures";

/** Text beyond ASCII: two- to four-byte UTF-8 sequences, as the bodies of the mails below. */
export const UNICODE_TEXT = "Grüße aus Köln — naïve café, 日本語のメール, emoji 😀👍🏽";

/**
 * A plain 8-bit UTF-8 mail and an HTML one (multipart/alternative, quoted-printable), with the body text and the
 * HTML their extraction is to store, character for character.
 */
export function unicodeBodyMails(): { subject: string; raw: string; text: string; html: string | null }[] {
  const html = `<p>${UNICODE_TEXT}</p>`;
  const qp = (text: string) =>
    [...Buffer.from(text, "utf8")]
      .map((b) => (b > 0x7e || b === 0x3d ? `=${b.toString(16).toUpperCase()}` : String.fromCharCode(b)))
      .join("");
  const boundary = "unicode-boundary";
  return [
    {
      subject: "Unicode plain",
      raw: mail("Unicode plain", { headers: { "Content-Transfer-Encoding": "8bit" }, body: `${UNICODE_TEXT}\r\n` }).raw,
      text: `${UNICODE_TEXT}\n`,
      html: null,
    },
    {
      subject: "Unicode HTML",
      raw: mail("Unicode HTML", {
        contentType: `multipart/alternative; boundary="${boundary}"`,
        body: [
          `--${boundary}`,
          "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: quoted-printable",
          "",
          qp(UNICODE_TEXT),
          `--${boundary}`,
          "Content-Type: text/html; charset=utf-8",
          "Content-Transfer-Encoding: quoted-printable",
          "",
          qp(html),
          `--${boundary}--`,
          "",
        ].join("\r\n"),
      }).raw,
      text: UNICODE_TEXT,
      html,
    },
  ];
}

/**
 * Fetches the mails above into a new mailbox (after its first connection), and returns what was stored beside what
 * was expected, as [subject, extract state, text, HTML] rows.
 */
export async function fetchUnicodeBodies(
  rig: RigInfo,
  fetchMailbox: (mailboxId: string) => Promise<{ status: string }>,
): Promise<{ mailboxId: string; stored: unknown[][]; expected: unknown[][] }> {
  const folder = uniqueName("Unicode");
  const user = rig.auth.users.alice.username;
  await ensureFolder(rig, user, folder);
  const box = await createTestMailbox(rig, { folder });
  await fetchMailbox(box.id);
  const mails = unicodeBodyMails();
  for (const m of mails) await deliver(rig, user, m.raw, folder);
  const { status } = await fetchMailbox(box.id);
  if (status !== "ok") throw new Error(`the fetch ended ${status}`);
  const rows = await db().ingestedMail.findMany({ where: { mailboxId: box.id }, orderBy: { subject: "desc" } });
  return {
    mailboxId: box.id,
    stored: rows.map((r) => [r.subject, r.extractState, r.bodyText, r.bodyHtml]),
    expected: mails.map((m) => [m.subject, "done", m.text, m.html]),
  };
}
