// A corpus of hostile mails, generated here: each gets a plain explanation and whatever can be shown,
// never the parser's words unlabelled.
import { describe, expect, it } from "vitest";
import { deepNestingMail, hugeHeaderMail, hugeHeaderVariants, manyAttachmentsMail } from "@/e2e/support/hostile-mail";
import { previewMail } from "./mail-preview";

const CRLF = "\r\n";
const envelope = (subject: string) => [
  "From: Mallory <mallory@example.org>",
  "To: support@rig.test",
  `Subject: ${subject}`,
  "Message-ID: <corpus@example.org>",
  "MIME-Version: 1.0",
];
const LIBRARY_WORDS = /Max header size|Max allowed child nodes|EMAXLEN|Connection not available/;

/** Reproducible binary noise (a linear congruential generator). */
function noise(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

function expectPlain(mail: Awaited<ReturnType<typeof previewMail>>) {
  expect(mail.notices.length).toBeGreaterThan(0);
  expect(mail.complete).toBe(false);
  for (const notice of mail.notices) expect(notice).not.toMatch(LIBRARY_WORDS);
}

describe("previewMail on hostile mail", () => {
  it("a well-formed mail is complete and has no notice", async () => {
    const mail = await previewMail({
      raw: Buffer.from([...envelope("fine"), "Content-Type: text/plain", "", "hello", ""].join(CRLF)),
    });
    expect(mail).toMatchObject({ subject: "fine", complete: true, notices: [], parserSaid: null, text: "hello\n" });
  });

  it("a huge top-level header: the usual headers, a plain explanation, the parser's words only as a detail", async () => {
    const mail = await previewMail({ raw: Buffer.from(hugeHeaderMail("huge header")) });
    expectPlain(mail);
    expect(mail.subject).toBe("huge header");
    expect(mail.from).toContain("mallory@example.org");
    expect(mail.notices.join(" ")).toMatch(/header larger than the preview reads/);
    expect(mail.parserSaid).toMatch(/header size/i);
  });

  it.each(hugeHeaderVariants("variant"))("%s: the subject and a plain explanation", async (_name, raw) => {
    const mail = await previewMail({ raw: Buffer.from(raw) });
    expectPlain(mail);
    expect(mail.subject).toMatch(/^variant/);
    expect(mail.subject.length).toBeLessThanOrEqual(8 * 1024);
  });

  it("a huge header in a nested part still shows the first part's text", async () => {
    const [, raw] = hugeHeaderVariants("nested")[1];
    const mail = await previewMail({ raw: Buffer.from(raw) });
    expect(mail.text).toContain("first part text");
    expect(mail.notices.join(" ")).toMatch(/first part\b/);
  });

  it("5,000 attachments: the headers, the first part's text and the real attachment count", async () => {
    const mail = await previewMail({ raw: Buffer.from(manyAttachmentsMail("five thousand attachments", 5000)) });
    expectPlain(mail);
    expect(mail.subject).toBe("five thousand attachments");
    expect(mail.text).toContain("The body before the flood");
    expect(mail.attachmentCount).toBe(5000);
    expect(mail.attachments.length).toBeGreaterThan(0);
    expect(mail.attachments.length).toBeLessThanOrEqual(100);
    expect(mail.notices.join(" ")).toMatch(/more parts than the preview reads/);
    expect(mail.notices.join(" ")).toMatch(/5000 attachments/);
  });

  it("deep nesting: the headers and a plain explanation", async () => {
    const mail = await previewMail({ raw: Buffer.from(deepNestingMail("deep", 700)) });
    expectPlain(mail);
    expect(mail.subject).toBe("deep");
  });

  it("an empty mail says so", async () => {
    const mail = await previewMail({ raw: Buffer.alloc(0) });
    expectPlain(mail);
    expect(mail.notices[0]).toMatch(/empty message/);
  });

  it("garbage says it is not a mail and shows its beginning", async () => {
    // bytes that hold "name: value" lines further in, which must not make it a mail
    const mail = await previewMail({
      raw: Buffer.concat([Buffer.from("\u0000\u0001 not a mail at all \r\nSubject: fake\r\n\r\n"), noise(2000)]),
    });
    expectPlain(mail);
    expect(mail.notices[0]).toMatch(/does not look like an e-mail/);
    expect(mail.text).toContain("not a mail at all");
    expect(mail.subject).toBe("");
    expect(mail.headers).toEqual([]);
  });

  it("a mail cut at the preview's limit reports the real size and what was read", async () => {
    const raw = Buffer.from(
      [...envelope("cut"), "Content-Type: text/plain", "", "start of a long body", ""].join(CRLF),
    );
    const mail = await previewMail({ raw, size: 12 * 1024 * 1024, truncated: true });
    expectPlain(mail);
    expect(mail.size).toBe(12 * 1024 * 1024);
    expect(mail.bytesRead).toBe(raw.length);
    expect(mail.notices[0]).toMatch(/12\.0 MiB; the preview reads only its first/);
    expect(mail.text).toContain("start of a long body");
  });
});
