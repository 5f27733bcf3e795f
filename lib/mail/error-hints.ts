// Mail-server replies and connection errors → a plain hint for the administrator. The raw text is always shown
// next to it; the hint says what it usually means and what to do.
import type { Hint } from "@/lib/errors";
import { GUIDE_ANCHORS } from "@/lib/oauth/client";

export type MailErrorInput = {
  /** the connection step that failed: resolve, connect, tls, authenticate, open folder, fetch, … */
  step?: string;
  message?: string;
  /** the server's reply, e.g. "A1 NO AUTHENTICATE failed." */
  raw?: string;
  /** Node/socket error code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, …) */
  code?: string;
};

type Entry = {
  code: string;
  test: (text: string, input: MailErrorInput) => boolean;
  title: string;
  action: string;
  guideStep?: string;
};

const has = (pattern: RegExp) => (text: string) => pattern.test(text);
/** Graph and EWS failures carry the HTTP status first ("HTTP 401 …"). */
const isHttp = (input: MailErrorInput) => /^HTTP \d{3}\b/.test(input.raw ?? "");

const CATALOGUE: Entry[] = [
  // Mailbridge's own refusals first: their codes must not be read as network errors (EPROTOCOLINJECTION ⊃ EPROTO).
  {
    code: "net.refused_by_policy",
    test: (_text, input) => input.code === "EOUTBOUNDREFUSED",
    title: "Mailbridge does not connect to this address",
    action:
      'Nothing was sent to the server: its address is outside what MAILBRIDGE_OUTBOUND_NETWORKS allows (public addresses by default; "private" adds on-premises networks, "loopback" this machine). Link-local and cloud metadata addresses and the console\'s own port are never reached. Check the Server Name, or ask the operator to allow the network.',
  },
  {
    code: "net.protocol_injection",
    test: (_text, input) => input.code === "EPROTOCOLINJECTION",
    title: "A value contains a line break",
    action:
      "Nothing was sent: user names, passwords, folders and addresses may not contain line breaks or NUL characters. Retype the value.",
  },
  {
    code: "imap.not_connected",
    test: has(/User is authenticated but not connected/i),
    title: "The token's user may not open this mailbox",
    guideStep: GUIDE_ANCHORS.mailboxPermission,
    action:
      "The sign-in worked, but the account the token belongs to has no access to the mailbox named in Username. For a shared mailbox, grant the signed-in user Full Access (Add-MailboxPermission) or, for app-only access, register the service principal (New-ServicePrincipal) and give it access to the mailbox; otherwise set Username to the mailbox the token's user owns.",
  },
  {
    code: "pop.one_line_xoauth2",
    test: has(/-ERR Protocol error.*\b10\b/i),
    title: "The server refused the one-line AUTH XOAUTH2",
    action:
      "Exchange Online's POP3 needs the two-line form: AUTH XOAUTH2, wait for '+', then the token. Mailbridge sends it that way; if this appears, a proxy or another client setting changed the exchange. Try again, or use IMAP.",
  },
  {
    code: "smtp.5.7.139",
    test: has(/5\.7\.139/),
    title: "Authenticated SMTP is switched off",
    guideStep: GUIDE_ANCHORS.authenticatedSmtp,
    action:
      "Turn on Authenticated SMTP for the mailbox (Microsoft 365 admin center → user → Mail → Manage email apps) and check that security defaults do not block it for the tenant.",
  },
  {
    code: "smtp.5.7.3",
    test: has(/535 5\.7\.3|5\.7\.3 Authentication unsuccessful/i),
    title: "Microsoft refused the token",
    guideStep: GUIDE_ANCHORS.servicePrincipal,
    action:
      "Usually: admin consent was not granted for the mail permission, the app-only service principal is not registered in Exchange (New-ServicePrincipal, Add-MailboxPermission), or the token was issued for the wrong resource (use https://outlook.office.com scopes, not Graph).",
  },
  {
    code: "smtp.5.2.252",
    test: has(/5\.2\.252|SendAsDenied/i),
    title: "The account may not send as this address",
    action:
      "Give the signed-in account Send As permission on the sending mailbox, or send from the account's own address.",
  },
  {
    code: "smtp.starttls_first",
    test: has(/530[ -]5\.7\.0 Must issue a STARTTLS command first/i),
    title: "The server wants STARTTLS before anything else",
    action:
      "Turn on Enable TLS (SMTP with STARTTLS, port 587) or choose SMTPS (implicit TLS, port 465). Mailbridge never signs in over an unencrypted connection.",
  },
  {
    code: "google.5.7.9",
    test: has(/534-?5\.7\.9/),
    title: "Google wants an app password or OAuth",
    action:
      "Use OAuth for this Google account (Authentication Type: OAuth); Google no longer accepts the account password for mail clients.",
  },
  {
    code: "http.invalid_audience",
    test: (text, input) =>
      isHttp(input) && /Invalid audience|audience claim value is invalid|invalid_resource/i.test(text),
    title: "The token is for another service",
    action:
      "Microsoft issues one token per resource: Graph needs https://graph.microsoft.com/.default (or Mail.ReadWrite) scopes, EWS/IMAP/POP need https://outlook.office.com/… scopes. Fix the Scope and press Reconnect.",
  },
  {
    code: "http.token_invalid",
    test: (text, input) =>
      isHttp(input) &&
      /InvalidAuthenticationToken|invalid_token|Lifetime validation failed|token has expired|\b401\b/i.test(text),
    title: "The service refused the access token",
    action:
      "The token is expired, revoked or not valid for this service. Press Reconnect to sign in again; if it keeps happening check the Scope and the tenant.",
  },
  {
    code: "imap.auth_failed",
    test: (text, input) =>
      /AUTHENTICATE failed|Authentication failure|AUTHENTICATIONFAILED|Invalid credentials|LOGIN failed|unknown user name or bad password|Logon failure/i.test(
        text,
      ) ||
      (input.step === "authenticate" && /\bNO\b|-ERR|authentication/i.test(text)),
    title: "The mail server refused the sign-in",
    action:
      "For OAuth: the token may be expired, revoked, issued for another resource, or for a user who is not the mailbox in Username — press Reconnect to sign in again and check the Scope (Microsoft: https://outlook.office.com/IMAP.AccessAsUser.All or POP.AccessAsUser.All). For Password: check the user name and password, and whether the provider still allows basic authentication (Microsoft 365 and Google do not).",
  },
  {
    code: "ews.impersonation_required",
    test: has(/ErrorInvalidExchangeImpersonationHeaderData|ExchangeImpersonation SOAP header must be present/i),
    title: "App-only EWS needs impersonation",
    action:
      "An app-only token must name the mailbox through ExchangeImpersonation; enter the mailbox address and keep the app-only preset.",
  },
  {
    code: "ews.impersonation_denied",
    test: has(/ErrorImpersonateUserDenied/i),
    title: "The app may not act as this mailbox",
    action:
      "Grant the application the full_access_as_app permission (admin consent) or limit it with an application access policy that includes this mailbox.",
  },

  {
    code: "http.access_denied",
    test: has(/ErrorAccessDenied|Access is denied|\b403\b/i),
    title: "No access to this mailbox",
    action:
      "The token's user (or app) may not read this mailbox. Grant access to the mailbox, or for app-only access give the application Mail.ReadWrite (Graph) or full_access_as_app (EWS).",
  },
  {
    code: "mailbox.not_found",
    test: has(/ErrorInvalidUser|ErrorNonExistentMailbox|requested user .* is invalid/i),
    title: "No such mailbox",
    action: "Check the mailbox address: the server has no mailbox with that address.",
  },
  {
    code: "folder.not_found",
    test: (text, input) =>
      input.step === "open folder" ||
      /Mailbox doesn't exist|ErrorFolderNotFound|NONEXISTENT|Unknown Mailbox/i.test(text),
    title: "The folder could not be opened",
    action:
      "Check the Folder name (INBOX is the default; sub-folders use the server's separator, e.g. INBOX/Support) and that the account may read it.",
  },
  {
    code: "tls.self_signed",
    test: (text, input) =>
      /SELF_SIGNED|self[- ]signed|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to (get|verify) (local )?issuer|unable to verify the first certificate|UNABLE_TO_GET_ISSUER_CERT/i.test(
        `${input.code ?? ""} ${text}`,
      ),
    title: "The server's certificate is not trusted",
    action:
      "The mail server presented a certificate signed by an unknown authority (self-signed or a private CA). Install a certificate from a public CA on the server, or give Mailbridge the CA with MAILBRIDGE_EXTRA_CA_FILE. Certificate checks are never switched off.",
  },
  {
    code: "tls.hostname_mismatch",
    test: (text, input) =>
      /ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match|altnames/i.test(`${input.code ?? ""} ${text}`),
    title: "The certificate is for another server name",
    action:
      "Use the server name that appears in the server's certificate (for Microsoft 365: outlook.office365.com), not an alias or an IP address.",
  },
  {
    code: "tls.expired",
    test: (text, input) => /CERT_HAS_EXPIRED|certificate has expired/i.test(`${input.code ?? ""} ${text}`),
    title: "The server's certificate has expired",
    action: "The mail server's certificate is out of date; its administrator has to renew it.",
  },
  {
    code: "tls.wrong_mode",
    test: (text, input) =>
      /wrong version number|EPROTO|packet length too long|ssl3_get_record/i.test(`${input.code ?? ""} ${text}`),
    title: "TLS mode and port do not match",
    action:
      "Implicit TLS (IMAPS 993, POPS 995) and STARTTLS (IMAP 143, POP 110) use different ports: pick the protocol that matches the Port.",
  },
  {
    code: "tls.starttls_missing",
    test: has(
      /(STARTTLS|STLS)\b.*\b(not|unsupported|required|missing|unavailable)|not (offer|support)\w*\b.*(STARTTLS|STLS)/i,
    ),
    title: "The server offers no STARTTLS",
    action:
      "The server did not offer to upgrade the connection to TLS, so Mailbridge did not send credentials. Use IMAPS/POPS on the implicit-TLS port instead.",
  },
  {
    code: "net.not_found",
    test: (text, input) =>
      input.code === "ENOTFOUND" || input.code === "EAI_AGAIN" || /ENOTFOUND|getaddrinfo/i.test(text),
    title: "Server name not found",
    action:
      "The Server Name / IP Address does not resolve. Check the spelling (Microsoft 365: outlook.office365.com; Google: imap.gmail.com / pop.gmail.com) and the machine's DNS.",
  },
  {
    code: "net.refused",
    test: (text, input) => input.code === "ECONNREFUSED" || /ECONNREFUSED|connection refused/i.test(text),
    title: "Nothing answers on that port",
    action:
      "The server refused the connection: check the Port (IMAP 143, IMAPS 993, POP 110, POPS 995) and that a firewall does not block it.",
  },
  {
    code: "net.timeout",
    test: (text, input) => /ETIMEDOUT|CONNECT_TIMEOUT|timed? ?out|Timeout/i.test(`${input.code ?? ""} ${text}`),
    title: "The server did not answer in time",
    action:
      "Check the server name and port, and whether a firewall or a proxy is needed to reach the server from this machine.",
  },
  {
    code: "net.reset",
    test: (text, input) =>
      /ECONNRESET|socket hang up|closed unexpectedly|Connection closed/i.test(`${input.code ?? ""} ${text}`),
    title: "The server closed the connection",
    action:
      "The server ended the session. If it happened right after signing in, the account may be blocked for this protocol (IMAP/POP disabled for the mailbox); otherwise try again.",
  },
];

/** The catalogue hint for a mail-server reply or connection error, or null when nothing matches. */
export function explainMailError(input: MailErrorInput): Hint | null {
  const text = [input.raw, input.message, input.code].filter(Boolean).join(" ");
  const entry = CATALOGUE.find((candidate) => candidate.test(text, input));
  if (!entry) return null;
  return {
    code: entry.code,
    title: entry.title,
    action: entry.action,
    ...(entry.guideStep ? { guideStep: entry.guideStep } : {}),
  };
}
