// The one schema of the Outgoing mail settings form, used by the client form (errors at the field) and by the
// server actions, with the labels, default ports and the servers a provider preset fills in. Client-safe.
import { z } from "zod";
import { oauthFieldsSchema } from "@/lib/oauth/client";
import { OUTGOING_PROTOCOLS, type OutgoingProtocol } from "./transport";

export { OUTGOING_PROTOCOLS, type OutgoingProtocol };

export const PROTOCOL_LABELS: Record<OutgoingProtocol, string> = {
  smtp: "SMTP (STARTTLS)",
  smtps: "SMTPS (implicit TLS)",
  ews: "EWS",
  graph: "Microsoft Graph",
};

export const DEFAULT_PORTS: Record<OutgoingProtocol, number> = { smtp: 587, smtps: 465, ews: 443, graph: 443 };

/** Server names a provider preset fills in (every filled field stays editable). */
export const PROVIDER_SERVERS: Record<
  string,
  Partial<Record<OutgoingProtocol, { host?: string; port?: number; connectUrl?: string }>>
> = {
  microsoft: {
    smtp: { host: "smtp.office365.com", port: 587 },
    ews: { connectUrl: "https://outlook.office365.com/EWS/Exchange.asmx" },
    graph: { connectUrl: "https://graph.microsoft.com/v1.0" },
  },
  google: {
    smtp: { host: "smtp.gmail.com", port: 587 },
    smtps: { host: "smtp.gmail.com", port: 465 },
  },
};

/** Microsoft switches SMTP AUTH basic authentication off at the end of December 2026. */
export function basicAuthSwitchOffWarning(values: {
  protocol: string;
  host?: string;
  authType?: string;
}): string | null {
  if (values.authType !== "password" || (values.protocol !== "smtp" && values.protocol !== "smtps")) return null;
  if (!/(^|\.)smtp\.office365\.com$|(^|\.)outlook\.office365\.com$/i.test((values.host ?? "").trim())) return null;
  return "Microsoft turns off basic authentication (password) for SMTP AUTH in Exchange Online at the end of December 2026: after that, sending with a password stops working. Switch to OAuth with the Microsoft 365 preset now.";
}

const HOST = /^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:]+\]?$/;
const ALTERNATE = /^(?:[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$|^[0-9a-fA-F:]+$/;
const noLineBreaks = (label: string) =>
  z
    .string()
    .trim()
    .max(320)
    .refine((v) => !/[\r\n]/.test(v), `${label} must not contain line breaks`);
const optionalEmail = (message: string) =>
  z
    .string()
    .trim()
    .max(320)
    .refine((v) => v === "" || z.string().email().safeParse(v).success, message)
    .default("");

export const outgoingFormSchema = z
  .object({
    protocol: z.enum(OUTGOING_PROTOCOLS),
    host: z.string().trim().max(253).default(""),
    alternateHost: z.string().trim().max(253).default(""),
    port: z.coerce
      .number()
      .int("Enter a whole number")
      .min(1, "Ports run from 1 to 65535")
      .max(65535, "Ports run from 1 to 65535"),
    connectUrl: z.string().trim().max(500).default(""),
    enableTls: z.boolean().default(true),
    authType: z.enum(["oauth", "password"]).default("oauth"),
    username: z.string().trim().min(1, "Enter the user name (the sending mailbox)").max(320),
    /** blank keeps the stored password */
    password: z.string().max(500).default(""),
    senderName: noLineBreaks("Sender Name").default(""),
    replyTo: optionalEmail("Enter a valid Reply-To address, or leave it empty"),
    maxEmailSizeMb: z.coerce.number().int("Enter whole megabytes").min(1, "At least 1 MB").max(150, "At most 150 MB"),
    contactEmail: optionalEmail("Enter a valid email address for Contact Information, or leave it empty"),
    debug: z.boolean().default(false),
    oauth: oauthFieldsSchema.optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const smtp = v.protocol === "smtp" || v.protocol === "smtps";
    if (smtp && !v.host) issue("host", "Enter the server name or IP address");
    if (smtp && v.host && !HOST.test(v.host))
      issue("host", "Enter a host name or IP address without spaces or a scheme");
    if (smtp && v.alternateHost && !ALTERNATE.test(v.alternateHost))
      issue("alternateHost", "Enter a host name or IP address (optionally :port) without spaces or a scheme");
    if (smtp && v.alternateHost && v.alternateHost.toLowerCase() === v.host.toLowerCase())
      issue("alternateHost", "The alternate server must differ from the server");
    if (!smtp) {
      if (!/^https:\/\/[^\s/]+/.test(v.connectUrl))
        issue(
          "connectUrl",
          v.protocol === "ews"
            ? "Enter the EWS Connect URL (https://…/EWS/Exchange.asmx)"
            : "Enter the Graph base URL (https://graph.microsoft.com/v1.0)",
        );
      if (v.authType !== "oauth") issue("authType", "EWS and Microsoft Graph use OAuth");
    }
    // The user name is the sending mailbox: its address is the From of every message.
    if (!z.string().email().safeParse(v.username).success)
      issue("username", "Enter the sending mailbox's address (it is the From address)");
    if (v.authType === "oauth" && !v.oauth) issue("oauth", "Fill in the OAuth fields");
  });

export type OutgoingFormInput = z.input<typeof outgoingFormSchema>;
export type OutgoingFormValues = z.output<typeof outgoingFormSchema>;

export const testMailSchema = z.object({
  to: z.string().trim().max(320).email("Enter the address the test mail goes to"),
});
export const outboxIdSchema = z.object({ id: z.string().min(1) });
