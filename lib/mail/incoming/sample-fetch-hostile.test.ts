// Hostile mail through "Fetch a sample mail" against the rig's Dovecot (plain IMAPS and the Exchange-like
// IMAPS): each gets a clear explanation and partial content, never the library's words alone; a 12 MiB
// binary-encoded attachment is read only up to the preview's limit and its size is still reported.
import { describe, expect, it } from "vitest";
import { deliver, ensureFolder } from "@/e2e/rig/mailbox";
import {
  binaryAttachmentMail,
  deepNestingMail,
  hugeHeaderMail,
  hugeHeaderVariants,
  manyAttachmentsMail,
} from "@/e2e/support/hostile-mail";
import { PREVIEW_MAX_BYTES } from "./preview-capture";
import { sampleFetch } from "./sample-fetch";
import type { SourceSettings } from "./source";
import { oauthFromRig, SCOPES, sourceFrom, testRig, uniqueName } from "@/e2e/support/mail-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice.username;
const LIBRARY_WORDS = /Max header size|Max allowed child nodes|Connection not available/;

const servers = {
  dovecot: (folder: string): SourceSettings => ({
    protocol: "imaps",
    startTls: true,
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    mailbox: alice,
    folder,
    ca: rig.ca,
    timeoutMs: 20_000,
  }),
  exchange: (folder: string): SourceSettings => ({
    protocol: "imaps",
    startTls: true,
    host: rig.exchange.host,
    port: rig.exchange.imapTlsPort,
    mailbox: alice,
    folder,
    ca: rig.ca,
    timeoutMs: 20_000,
  }),
};

const corpus: [string, (subject: string) => string | Buffer, RegExp][] = [
  ["a huge header", hugeHeaderMail, /header larger than the preview reads/],
  ["5,000 attachments", (s) => manyAttachmentsMail(s, 5000), /more parts than the preview reads/],
  ["deep nesting", (s) => deepNestingMail(s, 700), /more parts than the preview reads|not well-formed/],
  [
    "a 12 MiB binary-encoded attachment",
    (s) => binaryAttachmentMail(s, 12 * 1024 * 1024),
    /the preview reads only its first 4\.0 MiB/,
  ],
  ...hugeHeaderVariants("").map(([name], i): [string, (subject: string) => string, RegExp] => [
    name,
    (s) => hugeHeaderVariants(s)[i][1],
    /header larger than the preview reads|not well-formed/,
  ]),
];

describe.each(Object.keys(servers) as (keyof typeof servers)[])("hostile mail in the sample fetch (%s)", (server) => {
  it.each(corpus)(
    "%s: a clear message and partial content",
    async (_name, make, explained) => {
      const folder = uniqueName("Hostile");
      const subject = uniqueName("hostile");
      await ensureFolder(rig, alice, folder);
      await deliver(rig, alice, make(subject), folder);
      const result = await sampleFetch(
        sourceFrom(servers[server](folder), oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail })),
      );
      expect(result.ok, result.ok ? "" : `${result.failedStep}: ${result.error}`).toBe(true);
      if (!result.ok || !result.mail) throw new Error("no mail");
      const mail = result.mail;
      expect(mail.subject.startsWith(subject)).toBe(true);
      expect(mail.from).toContain("mallory@example.org");
      expect(mail.complete).toBe(false);
      expect(mail.notices.join(" ")).toMatch(explained);
      for (const notice of mail.notices) expect(notice).not.toMatch(LIBRARY_WORDS);
      expect(mail.bytesRead).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    },
    120_000,
  );
});

it("the 12 MiB mail's size is reported and its first parts are shown", async () => {
  const folder = uniqueName("Binary");
  await ensureFolder(rig, alice, folder);
  await deliver(rig, alice, binaryAttachmentMail("twelve", 12 * 1024 * 1024), folder);
  const result = await sampleFetch(
    sourceFrom(servers.dovecot(folder), oauthFromRig(rig, { tokenUser: "alice", scope: SCOPES.mail })),
  );
  if (!result.ok || !result.mail) throw new Error(result.ok ? "no mail" : result.error);
  expect(result.mail.size).toBeGreaterThan(12 * 1024 * 1024);
  expect(result.mail.bytesRead).toBe(PREVIEW_MAX_BYTES);
  expect(result.mail.text).toContain("See the attached archive.");
  expect(result.mail.attachments[0]).toMatchObject({
    filename: "archive.bin",
    contentType: "application/octet-stream",
  });
  expect(result.steps.at(-1)?.detail).toMatch(new RegExp(`parsed the first ${PREVIEW_MAX_BYTES} of \\d+ bytes`));
}, 120_000);
