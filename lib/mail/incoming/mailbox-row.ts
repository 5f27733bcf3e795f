import "server-only";
// A stored mailbox row and the form values it stands for.
import type { db } from "@/lib/db";
import type { MailboxFormValues } from "./mailbox-form-schema";
import type { AfterFetchAction, IncomingProtocol } from "./source";

export type MailboxRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["incomingMailbox"]["findUnique"]>>>;

export function rowValues(row: MailboxRow): MailboxFormValues {
  return {
    id: row.id,
    name: row.name,
    protocol: row.protocol as IncomingProtocol,
    startTls: row.startTls,
    authType: row.authType as "oauth" | "password",
    host: row.host,
    port: row.port,
    connectUrl: row.connectUrl ?? "",
    username: row.username,
    password: "",
    emailAddresses: JSON.parse(row.emailAddresses) as string[],
    folder: row.folder,
    afterFetch: row.afterFetch as AfterFetchAction,
    moveToFolder: row.moveToFolder ?? "",
    fetchIntervalMin: row.fetchIntervalMin,
    debug: row.debug,
    disableNewRequests: row.disableNewRequests,
  };
}
