// The one schema of the incoming-mailbox form, used by the client form (errors at the field) and by the server
// actions. The OAuth part is the OAuth concern's schema, embedded. A blank name or username is derived from
// the first email address, which is what most mailboxes use for both.
import { z } from "zod";
import { InvalidHostError, isLineSafe, LINE_BREAK_MESSAGE, parseHost } from "@/lib/net/client";
import { oauthFieldsSchema } from "@/lib/oauth/client";
import { AFTER_FETCH_ACTIONS, INCOMING_PROTOCOLS, type IncomingProtocol } from "./source";

export const DEFAULT_PORTS: Record<IncomingProtocol, number> = {
  imap: 143,
  imaps: 993,
  pop: 110,
  pops: 995,
  ews: 443,
  graph: 443,
};

export const PROTOCOL_LABELS: Record<IncomingProtocol, string> = {
  imap: "IMAP",
  imaps: "IMAPS",
  pop: "POP",
  pops: "POPS",
  ews: "EWS",
  graph: "Microsoft Graph",
};

export const AFTER_FETCH_LABELS = {
  leave: "Leave on the server",
  mark_read: "Mark as read",
  move: "Move to folder",
  delete: "Delete",
} as const;

/** Server names a provider preset fills in (every filled field stays editable). */
export const PROVIDER_SERVERS: Record<
  string,
  Partial<Record<IncomingProtocol, { host?: string; port?: number; connectUrl?: string }>>
> = {
  microsoft: {
    imap: { host: "outlook.office365.com", port: 143 },
    imaps: { host: "outlook.office365.com", port: 993 },
    pop: { host: "outlook.office365.com", port: 110 },
    pops: { host: "outlook.office365.com", port: 995 },
    ews: { connectUrl: "https://outlook.office365.com/EWS/Exchange.asmx" },
    graph: { connectUrl: "https://graph.microsoft.com/v1.0" },
  },
  google: {
    imaps: { host: "imap.gmail.com", port: 993 },
    pops: { host: "pop.gmail.com", port: 995 },
  },
};

function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
}

/** What a blank name or username becomes: the first address of the Email Address(es) field as typed. */
export function firstAddressOf(emailAddresses: string): string {
  return splitAddresses(emailAddresses)[0] ?? "";
}

const addressList = z
  .string()
  .trim()
  .max(2000)
  .transform(splitAddresses)
  .pipe(
    z
      .array(z.string().email("Each address must be a valid email address").refine(isLineSafe, LINE_BREAK_MESSAGE))
      .min(1, "Enter at least one email address"),
  );

export const mailboxFormSchema = z
  .object({
    /** set when editing */
    id: z.string().optional(),
    /** blank: the first email address */
    name: z.string().trim().max(100).default(""),
    protocol: z.enum(INCOMING_PROTOCOLS),
    startTls: z.boolean().default(true),
    authType: z.enum(["oauth", "password"]).default("oauth"),
    host: z.string().trim().max(253).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
    port: z.coerce
      .number()
      .int("Enter a whole number")
      .min(1, "Ports run from 1 to 65535")
      .max(65535, "Ports run from 1 to 65535"),
    connectUrl: z.string().trim().max(500).default(""),
    /** blank: the first email address */
    username: z.string().trim().max(320).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
    /** blank on edit keeps the stored password */
    password: z.string().max(500).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
    emailAddresses: addressList,
    folder: z
      .string()
      .trim()
      .min(1, "Enter a folder (INBOX is the default)")
      .max(300)
      .refine(isLineSafe, LINE_BREAK_MESSAGE)
      .default("INBOX"),
    afterFetch: z.enum(AFTER_FETCH_ACTIONS).default("leave"),
    moveToFolder: z.string().trim().max(300).refine(isLineSafe, LINE_BREAK_MESSAGE).default(""),
    fetchIntervalMin: z.coerce
      .number()
      .int("Enter whole minutes")
      .min(1, "At least 1 minute")
      .max(1440, "At most 1440 minutes (a day)"),
    debug: z.boolean().default(false),
    disableNewRequests: z.boolean().default(false),
    /** the OAuth fields: the OAuth concern's own schema, embedded */
    oauth: oauthFieldsSchema.optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const mailServer = v.protocol === "imap" || v.protocol === "imaps" || v.protocol === "pop" || v.protocol === "pops";
    if (mailServer && !v.host) issue("host", "Enter the server name or IP address");
    if (mailServer && v.host) {
      try {
        parseHost(v.host);
      } catch (error) {
        issue(
          "host",
          error instanceof InvalidHostError
            ? `${error.message} (enter a host name or IP address, no scheme or port)`
            : String(error),
        );
      }
    }
    if (v.protocol === "ews" || v.protocol === "graph") {
      if (!/^https:\/\/[^\s/]+/.test(v.connectUrl))
        issue(
          "connectUrl",
          v.protocol === "ews"
            ? "Enter the EWS Connect URL (https://…/EWS/Exchange.asmx)"
            : "Enter the Graph base URL (https://graph.microsoft.com/v1.0)",
        );
      if (v.authType !== "oauth") issue("authType", "EWS and Microsoft Graph use OAuth");
    }
    if ((v.protocol === "pop" || v.protocol === "pops") && v.folder.toUpperCase() !== "INBOX")
      issue("folder", "POP serves only the INBOX");
    if ((v.protocol === "pop" || v.protocol === "pops") && (v.afterFetch === "mark_read" || v.afterFetch === "move")) {
      issue("afterFetch", "POP can only leave or delete fetched mail");
    }
    if (v.afterFetch === "move" && !v.moveToFolder) issue("moveToFolder", "Enter the folder fetched mail is moved to");
    if (v.afterFetch === "move" && v.moveToFolder && v.moveToFolder === v.folder)
      issue("moveToFolder", "Choose a folder other than the one fetched from");
    if (v.authType === "password" && !v.id && !v.password) issue("password", "Enter the password");
  })
  .transform((v) => ({
    ...v,
    name: v.name || v.emailAddresses[0].slice(0, 100),
    username: v.username || v.emailAddresses[0],
  }));

export type MailboxFormInput = z.input<typeof mailboxFormSchema>;
export type MailboxFormValues = z.output<typeof mailboxFormSchema>;

export const mailboxIdSchema = z.object({ id: z.string().min(1) });
