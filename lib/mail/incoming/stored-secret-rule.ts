// A stored password or OAuth grant may be reused only while everything it is sent to is unchanged: protocol,
// server, port, STARTTLS and the Connect URL. Otherwise the admin types the password again (or consents
// again), so a changed form can never send a stored secret to a server of its choosing.
import { UserFacingError } from "@/lib/errors";
import type { MailboxFormValues } from "./mailbox-form-schema";

type ServerFields = Pick<MailboxFormValues, "host" | "port" | "startTls"> & {
  protocol: string;
  connectUrl: string | null;
};

export const SERVER_CHANGED_PASSWORD = "The server changed: enter the password again";

function canonicalUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return url.trim().toLowerCase();
  }
}

/** Where a mailbox's credentials go, in one comparable string. */
export function serverIdentity(v: ServerFields): string {
  if (v.protocol === "graph" || v.protocol === "ews") return `${v.protocol} ${canonicalUrl(v.connectUrl ?? "")}`;
  const startTls = v.protocol === "imap" || v.protocol === "pop" ? v.startTls : true;
  return `${v.protocol} ${v.host.trim().toLowerCase().replace(/\.$/, "")}:${v.port} starttls=${startTls}`;
}

export function serverChanged(values: ServerFields, stored: ServerFields | null): boolean {
  return stored !== null && serverIdentity(values) !== serverIdentity(stored);
}

/** The password to use: the typed one, else the stored one while the server is unchanged. */
export function passwordFor(
  values: MailboxFormValues,
  stored: (ServerFields & { password: string | null }) | null,
): string {
  if (values.password) return values.password;
  if (stored?.password && serverChanged(values, stored)) {
    throw new UserFacingError(`${SERVER_CHANGED_PASSWORD}.`, { fieldErrors: { password: SERVER_CHANGED_PASSWORD } });
  }
  if (!stored?.password) throw new UserFacingError("Enter the password.", { field: "password" });
  return stored.password;
}

/** The field that names the server, for messages about a changed one. */
export function serverField(values: { protocol: string }): "host" | "connectUrl" {
  return values.protocol === "graph" || values.protocol === "ews" ? "connectUrl" : "host";
}
