import "server-only";
// The outgoing settings as the Outgoing page and every page's banner read them: plain SQL (lib/db/raw-read.ts)
// of columns that hold no secret, only whether a password is stored. As model queries they were two of the
// four on every visit of the Outgoing page, about 1.5–2 ms of CPU each.
import { readRows } from "@/lib/db";
import type { OutgoingFormValues } from "./form-schema";
import { SERVER_ID } from "./server-settings";
import type { OutgoingProtocol } from "./transport";

export type OutgoingForEdit = Omit<OutgoingFormValues, "password" | "oauth"> & {
  hasPassword: boolean;
  connectionId: string | null;
};

export type OutgoingStatusView = {
  status: string;
  lastError: string | null;
  lastErrorHint: string | null;
  lastSentAt: Date | null;
  incidentSince: Date | null;
  incidentNotifiedAt: Date | null;
  contactEmail: string;
  connection: { status: string } | null;
};

/** The saved settings as the form shows them: never the password, only whether one is stored. */
export async function getOutgoingForEdit(): Promise<OutgoingForEdit | null> {
  const [row] = await readRows<
    Omit<OutgoingForEdit, "protocol" | "authType" | "connectUrl"> & {
      protocol: string;
      authType: string;
      connectUrl: string | null;
    }
  >(
    `SELECT "protocol", "host", "alternateHost", "port", "connectUrl", "enableTls", "authType", "username",
       "senderName", "replyTo", "maxEmailSizeMb", "contactEmail", "debug",
       ("password" IS NOT NULL AND "password" <> '') AS "hasPassword", "connectionId"
     FROM "OutgoingServer" WHERE "id" = ?`,
    [SERVER_ID],
    { port: "int", enableTls: "bool", maxEmailSizeMb: "int", debug: "bool", hasPassword: "bool" },
  );
  if (!row) return null;
  return {
    ...row,
    protocol: row.protocol as OutgoingProtocol,
    connectUrl: row.connectUrl ?? "",
    authType: row.authType as "oauth" | "password",
  };
}

/** Whether sending works; "reconnect_needed" also when the OAuth connection it sends through needs it. */
export async function getOutgoingStatus(): Promise<OutgoingStatusView | null> {
  const [row] = await readRows<Omit<OutgoingStatusView, "connection"> & { connectionStatus: string | null }>(
    `SELECT s."status", s."lastError", s."lastErrorHint", s."lastSentAt", s."incidentSince", s."incidentNotifiedAt",
       s."contactEmail", c."status" AS "connectionStatus"
     FROM "OutgoingServer" s LEFT JOIN "OAuthConnection" c ON c."id" = s."connectionId"
     WHERE s."id" = ?`,
    [SERVER_ID],
    { lastSentAt: "date", incidentSince: "date", incidentNotifiedAt: "date" },
  );
  if (!row) return null;
  const { connectionStatus, ...server } = row;
  const connection = connectionStatus === null ? null : { status: connectionStatus };
  const reconnect = server.status === "reconnect_needed" || connection?.status === "reconnect_needed";
  return { ...server, connection, status: reconnect ? "reconnect_needed" : server.status };
}
