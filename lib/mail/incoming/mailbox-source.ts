import "server-only";
// The one way from a mailbox (stored row, or form values with the stored row behind them) to the validated
// configuration of its source: password (typed, else stored) or the mailbox's OAuth connection, the extra CA
// and proxy, and EWS impersonation for app-only grants. The fetcher, the connection check and the sample
// fetch all build their source from this.
import { config } from "@/lib/config";
import { UserFacingError } from "@/lib/errors";
import { extraCa } from "@/lib/mail/extra-ca";
import type { MailboxFormValues } from "./mailbox-form-schema";
import { rowValues, type MailboxRow } from "./mailbox-row";
import { isAppOnly, oauthAuth } from "./oauth-bridge";
import { parseSourceConfig, type MailboxSourceConfig } from "./source-config";
import type { SourceAuth } from "./source";
import { passwordFor, serverChanged, serverField } from "./stored-secret-rule";

/**
 * Password (typed, else stored) or the mailbox's OAuth connection. A stored secret goes only to the server it
 * was saved for: with a changed server the password must be typed again, and the OAuth token waits for a
 * Save (which asks for a fresh consent).
 */
function authOf(values: MailboxFormValues, stored: MailboxRow | null): SourceAuth {
  if (values.authType === "password")
    return { type: "password", user: values.username, password: passwordFor(values, stored) };
  const connectionId = stored?.connectionId;
  if (!connectionId)
    throw new UserFacingError("Save the mailbox and sign in (OAuth consent) first.", { field: "authType" });
  if (serverChanged(values, stored)) {
    throw new UserFacingError(
      "The server changed: save the mailbox and sign in again before its OAuth token is sent to the new server.",
      {
        field: serverField(values),
      },
    );
  }
  return oauthAuth(connectionId, values.username);
}

/** The validated configuration for the values; EWS with an app-only grant impersonates the mailbox. */
export async function sourceConfigFor(
  values: MailboxFormValues,
  stored: MailboxRow | null,
): Promise<MailboxSourceConfig> {
  const auth = authOf(values, stored);
  return parseSourceConfig({
    protocol: values.protocol,
    startTls: values.startTls,
    host: values.host,
    port: values.port,
    connectUrl: values.connectUrl || null,
    // The mailbox to open: the first address for Graph/EWS (the login user for IMAP/POP is the auth's user).
    mailbox: values.emailAddresses[0] ?? values.username,
    folder: values.folder,
    ca: extraCa(),
    proxy: config().httpsProxy,
    timeoutMs: 20_000,
    impersonate: values.protocol === "ews" && values.authType === "oauth" && (await isAppOnly(stored?.connectionId)),
    auth,
  });
}

/** The configuration of a stored mailbox, built exactly as the connection check and the sample fetch build it. */
export function sourceConfigForMailbox(row: MailboxRow): Promise<MailboxSourceConfig> {
  return sourceConfigFor(rowValues(row), row);
}
