export const PRESETS = [
  "microsoft",
  "microsoft_app_only",
  "microsoft_ropc",
  "google",
  "google_service_account",
  "generic",
] as const;
export type Preset = (typeof PRESETS)[number];
export type Cloud = "global" | "usgov" | "china";
export type MailProtocol = "imap" | "pop" | "smtp" | "graph" | "ews";
export type GrantType = "authorization_code" | "client_credentials" | "password" | "jwt_bearer" | "refresh_token";

export const PRESET_LABELS: Record<Preset, string> = {
  microsoft: "Microsoft 365 (work/school)",
  microsoft_app_only: "Microsoft 365 app-only (client credentials)",
  microsoft_ropc: "Microsoft 365 resource-owner password (ROPC)",
  google: "Google / Gmail",
  google_service_account: "Google Workspace service account",
  generic: "Generic OAuth 2.0",
};

// Login, Outlook and Graph hosts per Microsoft cloud (global, US Government GCC High, China/21Vianet).
const MS_CLOUDS: Record<Cloud, { login: string; outlook: string; outlookResource: string; graph: string }> = {
  global: {
    login: "https://login.microsoftonline.com",
    outlook: "outlook.office365.com",
    outlookResource: "https://outlook.office.com",
    graph: "https://graph.microsoft.com",
  },
  usgov: {
    login: "https://login.microsoftonline.us",
    outlook: "outlook.office365.us",
    outlookResource: "https://outlook.office365.us",
    graph: "https://graph.microsoft.us",
  },
  china: {
    login: "https://login.chinacloudapi.cn",
    outlook: "partner.outlook.cn",
    outlookResource: "https://partner.outlook.cn",
    graph: "https://microsoftgraph.chinacloudapi.cn",
  },
};

const DELEGATED_SCOPE: Record<MailProtocol, string> = {
  imap: "IMAP.AccessAsUser.All",
  pop: "POP.AccessAsUser.All",
  smtp: "SMTP.Send",
  ews: "EWS.AccessAsUser.All",
  graph: "",
};

export type PresetDefaults = {
  grantType: GrantType;
  authorizeUrl: string;
  tokenUrl: string;
  revocationUrl?: string;
  scope: string;
  clientAuthMethod: "client_secret_post" | "client_secret_basic" | "private_key_jwt" | "none";
  /** parameters the authorize request must carry for this provider */
  authorizeParams: Record<string, string>;
  server?: { host: string; port: number };
};

/** What a preset fills in; every field stays editable in the form. */
export function presetDefaults(
  preset: Preset,
  opts: { tenant?: string; cloud?: Cloud; protocol?: MailProtocol; tls?: boolean } = {},
): PresetDefaults {
  const protocol = opts.protocol ?? "imap";
  if (preset.startsWith("microsoft")) {
    const cloud = MS_CLOUDS[opts.cloud ?? "global"];
    const tenant = encodeURIComponent(opts.tenant?.trim() || (preset === "microsoft" ? "organizations" : "common"));
    const base = `${cloud.login}/${tenant}/oauth2/v2.0`;
    const appOnly = preset === "microsoft_app_only";
    const resource = protocol === "graph" ? cloud.graph : cloud.outlookResource;
    const scope = appOnly
      ? `${protocol === "graph" ? cloud.graph : `https://${cloud.outlook}`}/.default`
      : protocol === "graph"
        ? `${resource}/Mail.ReadWrite ${resource}/Mail.Send offline_access`
        : `${resource}/${DELEGATED_SCOPE[protocol]} offline_access`;
    const server =
      protocol === "imap"
        ? { host: cloud.outlook, port: 993 }
        : protocol === "pop"
          ? { host: cloud.outlook, port: 995 }
          : protocol === "smtp"
            ? { host: `smtp.${cloud.outlook.replace(/^outlook\./, "")}`, port: 587 }
            : undefined;
    return {
      grantType: appOnly ? "client_credentials" : preset === "microsoft_ropc" ? "password" : "authorization_code",
      authorizeUrl: appOnly || preset === "microsoft_ropc" ? "" : `${base}/authorize`,
      tokenUrl: `${base}/token`,
      scope,
      clientAuthMethod: "client_secret_post",
      authorizeParams: {},
      server,
    };
  }
  if (preset === "google" || preset === "google_service_account") {
    const server =
      protocol === "imap"
        ? { host: "imap.gmail.com", port: 993 }
        : protocol === "pop"
          ? { host: "pop.gmail.com", port: 995 }
          : protocol === "smtp"
            ? { host: "smtp.gmail.com", port: opts.tls === false ? 587 : 465 }
            : undefined;
    return {
      grantType: preset === "google" ? "authorization_code" : "jwt_bearer",
      authorizeUrl: preset === "google" ? "https://accounts.google.com/o/oauth2/v2/auth" : "",
      tokenUrl: "https://oauth2.googleapis.com/token",
      revocationUrl: "https://oauth2.googleapis.com/revoke",
      scope: "https://mail.google.com/",
      clientAuthMethod: preset === "google" ? "client_secret_post" : "none",
      // Without it (and prompt=consent, see prompt.ts), Google issues no refresh token on a repeated consent.
      authorizeParams: preset === "google" ? { access_type: "offline" } : {},
      server,
    };
  }
  return {
    grantType: "authorization_code",
    authorizeUrl: "",
    tokenUrl: "",
    scope: "",
    clientAuthMethod: "client_secret_post",
    authorizeParams: {},
  };
}
