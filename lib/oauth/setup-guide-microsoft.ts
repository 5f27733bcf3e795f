// Microsoft Entra ID and Exchange Online: app registration, permissions, admin consent, the service
// principal of app-only access, and Authenticated SMTP for sending.
import { GUIDE_ANCHORS as A } from "./guide-anchors";
import type { MailProtocol } from "./presets";
import { orPlaceholder, type GuideInput, type GuideStep } from "./setup-guide-types";

const DELEGATED: Record<MailProtocol, string[]> = {
  imap: ["IMAP.AccessAsUser.All"],
  pop: ["POP.AccessAsUser.All"],
  smtp: ["SMTP.Send"],
  ews: ["EWS.AccessAsUser.All"],
  graph: ["Mail.ReadWrite", "Mail.Send"],
};
const APP_ONLY: Record<MailProtocol, string[]> = {
  imap: ["IMAP.AccessAsApp"],
  pop: ["POP.AccessAsApp"],
  smtp: ["SMTP.SendAsApp"],
  ews: ["full_access_as_app"],
  graph: ["Mail.ReadWrite", "Mail.Send"],
};

export function microsoftSteps(input: GuideInput): GuideStep[] {
  const appOnly = input.grantType === "client_credentials";
  const interactive = input.grantType === "authorization_code";
  const appId = orPlaceholder(input.clientId, "Application (client) ID");
  const tenant = orPlaceholder(input.tenant, "Directory (tenant) ID");
  const mailbox = orPlaceholder(input.mailbox, "mailbox address");
  const objectId = orPlaceholder(input.servicePrincipalId, "service principal Object ID");
  const api =
    input.protocol === "graph"
      ? "Microsoft Graph"
      : appOnly
        ? "Office 365 Exchange Online (APIs my organization uses)"
        : "Microsoft Graph";
  const sending = input.direction === "outgoing";

  const steps: GuideStep[] = [
    {
      id: A.registerApp,
      title: "Register the application",
      text: [
        "Azure portal → Microsoft Entra ID → App registrations → New registration, accounts in this organizational directory only.",
        interactive
          ? "Under Redirect URI choose the platform Web and enter exactly this Redirect URL:"
          : "This grant signs in without a browser: no Redirect URL is needed.",
        `From the Overview copy the Application (client) ID (now: ${appId}) and the Directory (tenant) ID (now: ${tenant}) into the fields above.`,
      ],
      values: interactive ? [input.redirectUrl] : undefined,
    },
    {
      id: A.clientSecret,
      title: "Create a client secret",
      text: [
        "Certificates & secrets → New client secret. Copy its Value (not the Secret ID) into Client Secret, and its expiry date into Advanced → Client secret expires on.",
      ],
    },
    {
      id: A.apiPermissions,
      title: "Add the API permissions",
      text: [
        appOnly
          ? `API permissions → Add a permission → ${api} → Application permissions, then add:`
          : `API permissions → Add a permission → ${api} → Delegated permissions, then add:`,
      ],
      values: appOnly ? APP_ONLY[input.protocol] : [...DELEGATED[input.protocol], "offline_access"],
    },
    {
      id: A.adminConsent,
      title: "Grant admin consent",
      text: [
        `API permissions → Grant admin consent for the tenant ${tenant}, and check that every permission shows "Granted".`,
        appOnly
          ? "Application permissions work only after admin consent."
          : "Without it every user is asked to consent, and tenants that forbid user consent fail with AADSTS65001.",
      ],
    },
  ];

  if (appOnly && input.protocol !== "graph") {
    steps.push(
      {
        id: A.servicePrincipal,
        title: "Register the service principal in Exchange Online",
        text: [
          "Azure portal → Enterprise applications → this app: copy its Object ID (the service principal's, not the app registration's) into the box below.",
          "Then in Exchange Online PowerShell (Install-Module ExchangeOnlineManagement), run:",
        ],
        commands: [
          `Connect-ExchangeOnline -Organization ${tenant}`,
          `New-ServicePrincipal -AppId ${appId} -ObjectId ${objectId}`,
        ],
      },
      {
        id: A.mailboxPermission,
        title: sending ? "Let the app use and send as the mailbox" : "Give the app access to the mailbox",
        text: ["Still in Exchange Online PowerShell:"],
        commands: [
          `Add-MailboxPermission -Identity ${mailbox} -User ${objectId} -AccessRights FullAccess`,
          ...(sending
            ? [`Add-RecipientPermission -Identity ${mailbox} -Trustee ${objectId} -AccessRights SendAs`]
            : []),
        ],
      },
    );
  }

  if (sending && input.protocol === "smtp") {
    steps.push({
      id: A.authenticatedSmtp,
      title: "Turn on Authenticated SMTP for the mailbox",
      text: [
        "Microsoft 365 admin center → Users → the mailbox → Mail → Manage email apps → Authenticated SMTP, or in Exchange Online PowerShell:",
        "Security defaults of the tenant also switch it off: check them when sending still fails with 535 5.7.139.",
      ],
      commands: [`Set-CASMailbox -Identity ${mailbox} -SmtpClientAuthenticationDisabled $false`],
    });
  }
  return steps;
}
