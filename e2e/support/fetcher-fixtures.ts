// Helpers for the fetcher's tests: a stored mailbox on the rig's Dovecot (password login, a folder of its own)
// and raw test mails with the headers threading and the loop guard look at.
import { randomBytes } from "node:crypto";
import type { RigInfo } from "@/e2e/rig/info";
import { db } from "@/lib/db";

export type TestMailboxOptions = {
  protocol?: "imap" | "imaps" | "pop" | "pops";
  folder?: string;
  afterFetch?: "leave" | "mark_read" | "move" | "delete";
  moveToFolder?: string;
  disableNewRequests?: boolean;
  importSince?: Date;
  user?: string;
};

export async function createTestMailbox(rig: RigInfo, opts: TestMailboxOptions = {}) {
  const user = rig.auth.users[opts.user ?? "alice"];
  const protocol = opts.protocol ?? "imaps";
  const port =
    protocol === "imaps"
      ? rig.imap.tlsPort
      : protocol === "imap"
        ? rig.imap.port
        : protocol === "pops"
          ? rig.pop3.tlsPort
          : rig.pop3.port;
  return db().incomingMailbox.create({
    data: {
      name: `Test ${randomBytes(3).toString("hex")}`,
      protocol,
      startTls: protocol === "imap" || protocol === "pop",
      authType: "password",
      host: protocol.startsWith("pop") ? rig.pop3.host : rig.imap.host,
      port,
      username: user.username,
      password: user.password,
      emailAddresses: JSON.stringify([user.username]),
      folder: opts.folder ?? "INBOX",
      afterFetch: opts.afterFetch ?? "leave",
      moveToFolder: opts.moveToFolder ?? null,
      disableNewRequests: opts.disableNewRequests ?? false,
      importSince: opts.importSince ?? null,
      fetchIntervalMin: 5,
    },
  });
}

export type MailOptions = {
  from?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
  /** the Date: header (default now) */
  date?: Date;
  /** a Received: line on top, from the receiving server at that time */
  received?: Date;
};

export function mail(subject: string, opts: MailOptions = {}): { raw: string; messageId: string } {
  const messageId = opts.messageId ?? `<${randomBytes(8).toString("hex")}@customer.example>`;
  const lines = [
    ...(opts.received ? [`Received: from relay.example.org by mx.rig.test; ${opts.received.toUTCString()}`] : []),
    `From: ${opts.from ?? "Customer <customer@example.org>"}`,
    "To: support@rig.test",
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${(opts.date ?? new Date()).toUTCString()}`,
    "MIME-Version: 1.0",
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`] : []),
    ...(opts.references ? [`References: ${opts.references.join(" ")}`] : []),
    ...Object.entries(opts.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    `Content-Type: ${opts.contentType ?? "text/plain; charset=utf-8"}`,
    "",
    opts.body ?? `Hello,\r\nthis is ${subject}.\r\n`,
  ];
  return { raw: lines.join("\r\n"), messageId };
}
