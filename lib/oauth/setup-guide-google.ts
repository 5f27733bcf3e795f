// Google Cloud and Google Workspace: the consent screen, Gmail's scope, test users and publishing for a
// web client; domain-wide delegation for a service account.
import { GUIDE_ANCHORS as A } from "./guide-anchors";
import { orPlaceholder, type GuideInput, type GuideStep } from "./setup-guide-types";

const GMAIL_SCOPE = "https://mail.google.com/";

export function googleSteps(input: GuideInput): GuideStep[] {
  const mailbox = orPlaceholder(input.mailbox, "mailbox address");
  if (input.grantType === "jwt_bearer") {
    const uniqueId = orPlaceholder(input.serviceAccountUniqueId, "service account Unique ID");
    return [
      {
        id: A.googleServiceAccount,
        title: "Create the service account and its key",
        text: [
          "Google Cloud console → IAM & Admin → Service accounts → Create service account, then Keys → Add key → JSON, and paste the downloaded file above.",
          "Copy the service account's Unique ID (client_id in the key file, a number) into the box below.",
        ],
      },
      {
        id: A.domainWideDelegation,
        title: "Allow domain-wide delegation",
        text: [
          "Google Admin console → Security → Access and data control → API controls → Manage Domain Wide Delegation → Add new, with this Client ID and OAuth scope:",
          `The service account then acts as ${mailbox} (Mailbox to impersonate).`,
        ],
        values: [uniqueId, GMAIL_SCOPE],
      },
    ];
  }
  return [
    {
      id: A.googleConsentScreen,
      title: "Set up the OAuth consent screen",
      text: [
        "Google Cloud console → APIs & Services → OAuth consent screen: an app name and support email; user type Internal for a Google Workspace domain, External otherwise.",
      ],
    },
    {
      id: A.googleScope,
      title: "Add Gmail's scope",
      text: [
        "Consent screen → Data access → Add or remove scopes: add this restricted scope (IMAP, POP and SMTP all need it):",
      ],
      values: [GMAIL_SCOPE],
    },
    {
      id: A.googleTestUsers,
      title: "Add the mailbox as a test user",
      text: [
        `While the app's publishing status is Testing (External apps), only test users can sign in: add ${mailbox} under Audience → Test users.`,
      ],
      warning:
        "In Testing, Google's refresh tokens expire after 7 days: the connection then needs Reconnect every week.",
    },
    {
      id: A.googlePublish,
      title: "Publish the app",
      text: [
        "Audience → Publish app → In production (an Internal app needs no publishing). Tokens issued while in Testing keep their 7-day limit: press Reconnect once after publishing.",
      ],
    },
    {
      id: A.googleClient,
      title: "Create the OAuth client",
      text: [
        "Credentials → Create credentials → OAuth client ID → Web application. Under Authorized redirect URIs enter exactly this Redirect URL:",
        "Then download the client's JSON and paste it above: it fills client ID, secret and endpoints.",
      ],
      values: [input.redirectUrl],
    },
  ];
}
