"use client";
import { useRef, useState, useTransition } from "react";
import { discoverEndpointsAction } from "./actions";
import { GoogleClientPaste } from "./google-client-paste";
import { ProviderGuide } from "./provider-guide";
import {
  CLIENT_AUTH_LABELS,
  CLIENT_AUTH_METHODS,
  CLOUD_LABELS,
  CLOUDS,
  GRANT_LABELS,
  GRANT_TYPES,
  normaliseAzureClientId,
  normaliseAzureTenant,
  parseServiceAccountKey,
  type OAuthFieldsForEdit,
} from "@/lib/oauth/client";
import type { ApplicationChoice } from "@/lib/oauth";
import {
  PRESET_LABELS,
  PRESETS,
  presetDefaults,
  type Cloud,
  type GrantType,
  type MailProtocol,
  type Preset,
} from "@/lib/oauth/client";

/** The form state of the OAuth fields: strings as typed; secrets blank unless the admin types a new one. */
export type OAuthFieldsState = {
  connectionId?: string;
  /** a stored application the connection uses as it is */
  applicationId?: string;
  preset: Preset;
  cloud: Cloud;
  tenant: string;
  grantType: GrantType;
  clientId: string;
  clientSecret: string;
  clientAuthMethod: (typeof CLIENT_AUTH_METHODS)[number];
  privateKey: string;
  privateKeyId: string;
  authorizeUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  issuer: string;
  scope: string;
  subject: string;
  password: string;
  refreshToken: string;
  tokenExpiryMarginSec: string;
  secretExpiresOn: string;
  loginHint: string;
};

export type StoredSecrets = Pick<
  OAuthFieldsForEdit,
  "hasClientSecret" | "hasPrivateKey" | "hasPassword" | "hasRefreshToken"
> &
  Partial<
    Pick<
      OAuthFieldsForEdit,
      | "applicationId"
      | "applicationName"
      | "applicationShared"
      | "pendingChange"
      | "tokenUrl"
      | "revocationUrl"
      | "issuer"
      | "authorizeUrl"
    >
  >;

/** The application's own fields: shown locked when the connection uses a shared application as it is. */
const APPLICATION_FIELDS = new Set<keyof OAuthFieldsState>([
  "preset",
  "cloud",
  "tenant",
  "clientId",
  "clientSecret",
  "clientAuthMethod",
  "privateKey",
  "privateKeyId",
  "authorizeUrl",
  "tokenUrl",
  "revocationUrl",
  "issuer",
  "tokenExpiryMarginSec",
  "secretExpiresOn",
]);

/** The endpoints a stored secret was saved for, in the words the server uses when one of them changed. */
const SECRET_DESTINATIONS = [
  ["tokenUrl", "the Access Token URL"],
  ["revocationUrl", "the Revocation URL"],
  ["issuer", "the Issuer URL"],
  ["authorizeUrl", "the Authorize URL"],
] as const;

const DEFAULTED = ["grantType", "authorizeUrl", "tokenUrl", "revocationUrl", "scope", "clientAuthMethod"] as const;

/** Maps a mail protocol of a settings page to the protocol a preset's scopes are for. */
export function presetProtocol(protocol: string | undefined): MailProtocol {
  if (protocol === "pop" || protocol === "pops") return "pop";
  if (protocol === "graph" || protocol === "ews" || protocol === "smtp") return protocol;
  return "imap";
}

function defaultsFor(s: Pick<OAuthFieldsState, "preset" | "tenant" | "cloud">, protocol: MailProtocol) {
  const d = presetDefaults(s.preset, { tenant: s.tenant, cloud: s.cloud, protocol });
  return {
    grantType: d.grantType,
    authorizeUrl: d.authorizeUrl,
    tokenUrl: d.tokenUrl,
    revocationUrl: d.revocationUrl ?? "",
    scope: d.scope,
    clientAuthMethod: d.clientAuthMethod,
  };
}

export function emptyOAuthFields(preset: Preset = "microsoft", protocol?: string): OAuthFieldsState {
  const base = { preset, cloud: "global" as Cloud, tenant: "" };
  return {
    ...base,
    ...defaultsFor(base, presetProtocol(protocol)),
    clientId: "",
    clientSecret: "",
    privateKey: "",
    privateKeyId: "",
    issuer: "",
    subject: "",
    password: "",
    refreshToken: "",
    tokenExpiryMarginSec: "300",
    secretExpiresOn: "",
    loginHint: "",
  };
}

export function oauthFieldsFromEdit(edit: OAuthFieldsForEdit): OAuthFieldsState {
  const {
    applicationName: _name,
    applicationShared: _shared,
    pendingChange: _pending,
    hasClientSecret: _s,
    hasPrivateKey: _k,
    hasPassword: _p,
    hasRefreshToken: _r,
    ...fields
  } = edit;
  return {
    ...fields,
    clientSecret: "",
    privateKey: "",
    password: "",
    refreshToken: "",
    tokenExpiryMarginSec: String(edit.tokenExpiryMarginSec),
  };
}

/** Where to register the Redirect URL, in the provider's own words. */
function redirectHelp(preset: Preset): string {
  if (preset.startsWith("microsoft"))
    return "Register exactly this address at the provider (Azure: App registrations → Authentication → Web → Redirect URIs).";
  if (preset.startsWith("google"))
    return "Register exactly this address at the provider (Google Cloud: Credentials → OAuth client → Authorized redirect URIs).";
  return "Register exactly this address as a redirect URI of the client at the provider.";
}

function scopeHelp(preset: Preset): string {
  if (preset.startsWith("microsoft"))
    return "Space-separated. IMAP/POP/SMTP use outlook.office.com scopes, Graph uses graph.microsoft.com; app-only uses .default.";
  if (preset.startsWith("google")) return "Space-separated. Gmail's IMAP, POP and SMTP need https://mail.google.com/.";
  return "Space-separated, as the provider documents them. Add openid email to see which account signed in.";
}

type Props = {
  value: OAuthFieldsState;
  onChange: (next: OAuthFieldsState) => void;
  errors: Record<string, string>;
  redirectUrl: string;
  /** the settings page's protocol: the preset's scopes follow it */
  protocol?: string;
  stored?: StoredSecrets | null;
  /** standalone connections ask for the mailbox; mailbox pages fill it from their address */
  showMailbox?: boolean;
  idPrefix?: string;
  /** stored applications to start from: their fields are filled in, their secret kept */
  applications?: ApplicationChoice[];
  /** "application": the application page (no grant, no mailbox); "connection": a connection's fields */
  part?: "connection" | "application";
  /** shows the provider setup guide for this direction, filled with the mailbox */
  guide?: { direction: "incoming" | "outgoing"; mailbox: string };
};

export function OAuthFields({
  value,
  onChange,
  errors,
  redirectUrl,
  protocol,
  stored: storedProp,
  showMailbox,
  idPrefix = "oauth",
  applications = [],
  part = "connection",
  guide,
}: Props) {
  const mailProtocol = presetProtocol(protocol);
  // The defaults last filled in: a field still holding its default follows tenant/cloud/protocol changes,
  // a field the admin edited is left alone.
  const applied = useRef(defaultsFor(value, mailProtocol));
  const lastProtocol = useRef(mailProtocol);
  const [copied, setCopied] = useState(false);
  const [keyJsonError, setKeyJsonError] = useState<string | null>(null);
  const [pasteErrors, setPasteErrors] = useState<Record<string, string>>({});
  const [discovery, setDiscovery] = useState<{ ok: boolean; text: string } | null>(null);
  const [discovering, startDiscovery] = useTransition();
  const [chosen, setChosen] = useState<ApplicationChoice | null>(null);
  const stored = chosen
    ? {
        hasClientSecret: chosen.hasClientSecret,
        hasPrivateKey: chosen.hasPrivateKey,
        hasPassword: Boolean(storedProp?.hasPassword),
        hasRefreshToken: Boolean(storedProp?.hasRefreshToken),
      }
    : storedProp;

  function choose(applicationId: string) {
    const app = applications.find((a) => a.id === applicationId) ?? null;
    setChosen(app);
    if (!app) return onChange({ ...value, applicationId: undefined });
    // The application brings its scope (and its connections' grant); the protocol's default otherwise.
    const scope = app.fields.scope || defaultsFor(app.fields, mailProtocol).scope;
    const next: OAuthFieldsState = {
      ...value,
      ...app.fields,
      scope,
      grantType: app.grantType ?? value.grantType,
      applicationId: app.id,
      tokenExpiryMarginSec: String(app.fields.tokenExpiryMarginSec),
      clientSecret: "",
      privateKey: "",
    };
    // The application's endpoints become the defaults the protocol and tenant follow from now on.
    applied.current = {
      ...defaultsFor(next, mailProtocol),
      authorizeUrl: next.authorizeUrl,
      tokenUrl: next.tokenUrl,
      revocationUrl: next.revocationUrl,
    };
    onChange(next);
  }

  const discover = () =>
    startDiscovery(async () => {
      const result = await discoverEndpointsAction({ issuer: value.issuer });
      if (!result.ok) return setDiscovery({ ok: false, text: result.fieldErrors?.issuer ?? result.error });
      onChange({ ...value, ...result.data });
      setDiscovery({ ok: true, text: "Endpoints filled from the provider's metadata." });
    });

  function refill(next: OAuthFieldsState, force: boolean): OAuthFieldsState {
    const fresh = defaultsFor(next, mailProtocol);
    const out = { ...next };
    for (const key of DEFAULTED) {
      if (force || out[key] === applied.current[key] || out[key] === "")
        (out as Record<string, string>)[key] = fresh[key];
    }
    applied.current = fresh;
    return out;
  }

  // Only the scope depends on the mail protocol: the endpoints (typed, discovered or an application's) stay.
  if (lastProtocol.current !== mailProtocol) {
    lastProtocol.current = mailProtocol;
    const fresh = defaultsFor(value, mailProtocol);
    const follows = value.scope === applied.current.scope || value.scope === "";
    applied.current = { ...applied.current, scope: fresh.scope };
    if (follows && fresh.scope !== value.scope) queueMicrotask(() => onChange({ ...value, scope: fresh.scope }));
  }

  const set = <K extends keyof OAuthFieldsState>(key: K, v: OAuthFieldsState[K]) => {
    const next = { ...value, [key]: v };
    if (key === "preset") return onChange(refill(next, true));
    if (key === "tenant" || key === "cloud") return onChange(refill(next, false));
    onChange(next);
  };

  function pasteServiceAccount(text: string) {
    if (!text.trim()) return setKeyJsonError(null);
    const parsed = parseServiceAccountKey(text);
    if ("error" in parsed) return setKeyJsonError(parsed.error);
    setKeyJsonError(null);
    onChange({ ...value, ...parsed, clientAuthMethod: "none", grantType: "jwt_bearer" });
  }

  const id = (name: string) => `${idPrefix}-${name}`;
  const err = (name: string) => {
    const message = errors[name] ?? pasteErrors[name];
    return message ? (
      <p className="field-error" id={`${id(name)}-error`}>
        {message}
      </p>
    ) : null;
  };
  const microsoft = value.preset.startsWith("microsoft");
  const grant = value.grantType;
  const usesSecret =
    (value.clientAuthMethod === "client_secret_post" || value.clientAuthMethod === "client_secret_basic") &&
    grant !== "jwt_bearer";
  const usesKey = value.clientAuthMethod === "private_key_jwt" || grant === "jwt_bearer";
  const connectionPart = part === "connection";
  // A shared (or picked) application is used as it is: its fields are changed on its own page.
  const sharedApp =
    connectionPart && value.applicationId && (chosen || (storedProp?.applicationShared ?? 0) > 0)
      ? value.applicationId
      : null;
  const lockedField = (name: keyof OAuthFieldsState) => Boolean(sharedApp) && APPLICATION_FIELDS.has(name);
  const savedFor = chosen ? null : storedProp;
  const moved = savedFor
    ? (SECRET_DESTINATIONS.find(
        ([f]) =>
          (f !== "authorizeUrl" || grant === "authorization_code" || !connectionPart) &&
          (savedFor[f] ?? "") !== value[f],
      )?.[1] ?? null)
    : null;
  const storedPlaceholder = (has: boolean | undefined) =>
    !has ? "" : moved ? `${moved} changed: enter it again` : "(stored — leave blank to keep)";
  // Azure ids are pasted in many forms (braces, spaces, portal URLs): a paste or leaving the field normalises them.
  const normalisers: Partial<Record<keyof OAuthFieldsState, (raw: string) => { value: string } | { error: string }>> =
    microsoft
      ? {
          tenant: (raw) => {
            const r = normaliseAzureTenant(raw);
            return "tenant" in r ? { value: r.tenant } : r;
          },
          clientId: (raw) => ({ value: normaliseAzureClientId(raw) }),
        }
      : {};
  function normalise(name: keyof OAuthFieldsState, raw: string, replace: boolean) {
    const normaliser = normalisers[name];
    if (!normaliser) return false;
    const result = normaliser(raw);
    setPasteErrors((e) => ({ ...e, [name]: "error" in result ? result.error : "" }));
    if ("error" in result || (!replace && result.value === raw)) return false;
    set(name, result.value as never);
    return true;
  }
  const text = (
    name: keyof OAuthFieldsState,
    label: string,
    opts: { help?: string; type?: string; placeholder?: string; autoComplete?: string } = {},
  ) => (
    <div className="field">
      <label htmlFor={id(name)}>{label}</label>
      <input
        id={id(name)}
        type={opts.type ?? "text"}
        autoComplete={opts.autoComplete ?? "off"}
        placeholder={opts.placeholder}
        value={String(value[name] ?? "")}
        disabled={lockedField(name)}
        aria-invalid={Boolean(errors[name])}
        onChange={(e) => set(name, e.target.value as never)}
        onBlur={(e) => normalise(name, e.target.value, false)}
        onPaste={(e) => {
          const input = e.currentTarget;
          const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
          if (whole && normalise(name, e.clipboardData.getData("text"), true)) e.preventDefault();
        }}
      />
      {opts.help && <p className="field-help">{opts.help}</p>}
      {err(name)}
    </div>
  );

  return (
    <div className="stack">
      {storedProp?.pendingChange && connectionPart && (
        <div className="alert alert-info" role="note">
          These settings were saved but wait for a successful sign-in: until then the connection keeps working with its
          previous settings and tokens.
        </div>
      )}
      {sharedApp && (
        <div className="alert alert-info" role="note">
          The application&apos;s fields below belong to <strong>{chosen?.label ?? storedProp?.applicationName}</strong>
          {storedProp?.applicationShared && !chosen
            ? `, which ${storedProp.applicationShared} other connection${storedProp.applicationShared === 1 ? "" : "s"} use`
            : ""}
          : change them on <a href={`/oauth/applications/${sharedApp}`}>the application&apos;s page</a>, where a change
          applies to every connection.
        </div>
      )}
      {connectionPart && applications.length > 0 && (
        <div className="field">
          <label htmlFor={id("application")}>OAuth application</label>
          <select id={id("application")} value={chosen?.id ?? ""} onChange={(e) => choose(e.target.value)}>
            <option value="">Enter the application&apos;s fields</option>
            {applications.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
          <p className="field-help">
            One client registration at the provider serves every mailbox: pick it to reuse its client ID, stored secret
            and scope.
          </p>
        </div>
      )}
      <div className="grid-2">
        <div className="field">
          <label htmlFor={id("preset")}>Provider</label>
          <select
            id={id("preset")}
            value={value.preset}
            disabled={lockedField("preset")}
            onChange={(e) => set("preset", e.target.value as Preset)}
          >
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {PRESET_LABELS[p]}
              </option>
            ))}
          </select>
          <p className="field-help">A provider fills the fields below; every field stays editable.</p>
        </div>
        {connectionPart && (
          <div className="field">
            <label htmlFor={id("grantType")}>Grant type</label>
            <select id={id("grantType")} value={grant} onChange={(e) => set("grantType", e.target.value as GrantType)}>
              {GRANT_TYPES.map((g) => (
                <option key={g} value={g}>
                  {GRANT_LABELS[g]}
                </option>
              ))}
            </select>
            {err("grantType")}
          </div>
        )}
      </div>
      {microsoft && (
        <div className="grid-2">
          <div className="field">
            <label htmlFor={id("cloud")}>Microsoft cloud</label>
            <select
              id={id("cloud")}
              value={value.cloud}
              disabled={lockedField("cloud")}
              onChange={(e) => set("cloud", e.target.value as Cloud)}
            >
              {CLOUDS.map((c) => (
                <option key={c} value={c}>
                  {CLOUD_LABELS[c]}
                </option>
              ))}
            </select>
          </div>
          {text("tenant", "Tenant", {
            help: "Directory (tenant) ID or domain, e.g. contoso.onmicrosoft.com. Blank: organizations.",
          })}
        </div>
      )}
      {grant === "jwt_bearer" && !sharedApp && (
        <div className="field">
          <label htmlFor={id("serviceAccountJson")}>Service account JSON key</label>
          <textarea
            id={id("serviceAccountJson")}
            rows={3}
            placeholder='{"type": "service_account", …}'
            onChange={(e) => pasteServiceAccount(e.target.value)}
          />
          <p className="field-help">
            Paste the key file: it fills the client email, private key, key ID and token URL. It is not kept as pasted.
          </p>
          {keyJsonError && <p className="field-error">{keyJsonError}</p>}
        </div>
      )}
      {value.preset === "google" && grant === "authorization_code" && !sharedApp && (
        <GoogleClientPaste
          id={id("googleClientJson")}
          redirectUrl={redirectUrl}
          onFill={(fields) => onChange({ ...value, ...fields, clientAuthMethod: "client_secret_post" })}
        />
      )}
      <div className="grid-2">
        {text("clientId", grant === "jwt_bearer" ? "Client ID (service account email)" : "Client ID")}
        {usesSecret &&
          text("clientSecret", "Client Secret", {
            type: "password",
            autoComplete: "new-password",
            placeholder: sharedApp ? "(stored on the application)" : storedPlaceholder(stored?.hasClientSecret),
            help:
              moved && stored?.hasClientSecret
                ? "A stored secret is only sent to the endpoints it was saved for: type it again for the new one."
                : microsoft
                  ? "The secret's Value, not its Secret ID."
                  : undefined,
          })}
      </div>
      {usesKey && (
        <div className="grid-2">
          <div className="field">
            <label htmlFor={id("privateKey")}>Private key (PEM)</label>
            <textarea
              id={id("privateKey")}
              rows={3}
              autoComplete="off"
              placeholder={
                sharedApp
                  ? "(stored on the application)"
                  : stored?.hasPrivateKey
                    ? storedPlaceholder(true)
                    : "-----BEGIN PRIVATE KEY-----"
              }
              disabled={lockedField("privateKey")}
              value={value.privateKey}
              onChange={(e) => set("privateKey", e.target.value)}
            />
            {err("privateKey")}
          </div>
          {text("privateKeyId", "Key ID")}
        </div>
      )}
      {value.preset === "generic" && (
        <div className="field">
          <label htmlFor={id("issuer")}>Issuer</label>
          <div className="copy-field">
            <input
              id={id("issuer")}
              value={value.issuer}
              disabled={lockedField("issuer")}
              placeholder="https://login.example.com"
              onChange={(e) => set("issuer", e.target.value)}
            />
            <button
              type="button"
              className="btn btn-secondary"
              disabled={discovering || !value.issuer || lockedField("issuer")}
              onClick={discover}
            >
              Discover endpoints
            </button>
          </div>
          <p className="field-help">
            Optional: fills the endpoints from the provider's metadata, and the sign-in response&apos;s iss is checked
            against it (RFC 9207).
          </p>
          {discovery && (
            <p className={discovery.ok ? "field-help" : "field-error"} role="status">
              {discovery.text}
            </p>
          )}
          {err("issuer")}
        </div>
      )}
      <div className="grid-2">
        {text("authorizeUrl", "Authorize URL", {
          help: grant === "authorization_code" ? undefined : "Not used by this grant.",
        })}
        {text("tokenUrl", "Access Token URL")}
      </div>
      {text("scope", connectionPart ? "Scope" : "Default scope of new connections", { help: scopeHelp(value.preset) })}
      {(grant === "authorization_code" || !connectionPart) && (
        <div className="field">
          <label htmlFor={id("redirectUrl")}>Redirect URL</label>
          <div className="copy-field">
            <input id={id("redirectUrl")} readOnly value={redirectUrl} />
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(redirectUrl).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
          <p className="field-help">{redirectHelp(value.preset)}</p>
        </div>
      )}
      {connectionPart && grant === "password" && (
        <div className="grid-2">
          {text("subject", "User name (ROPC)")}
          {text("password", "User password (ROPC)", {
            type: "password",
            autoComplete: "new-password",
            placeholder: storedPlaceholder(stored?.hasPassword),
          })}
        </div>
      )}
      {connectionPart &&
        grant === "jwt_bearer" &&
        text("subject", "Mailbox to impersonate", {
          help: "The user whose mail the service account reads (domain-wide delegation).",
        })}
      {connectionPart &&
        grant === "refresh_token" &&
        text("refreshToken", "Refresh token", {
          type: "password",
          autoComplete: "off",
          placeholder: storedPlaceholder(stored?.hasRefreshToken),
          help: "For providers where this console's Redirect URL cannot be registered: obtain a refresh token elsewhere (e.g. with curl) and paste it.",
        })}
      {showMailbox &&
        grant === "authorization_code" &&
        text("loginHint", "Mailbox (login hint)", { help: "Pre-fills the sign-in page with this address." })}
      <details>
        <summary>Advanced</summary>
        <div className="stack">
          <div className="field">
            <label htmlFor={id("clientAuthMethod")}>Client authentication</label>
            <select
              id={id("clientAuthMethod")}
              value={value.clientAuthMethod}
              disabled={lockedField("clientAuthMethod")}
              onChange={(e) => set("clientAuthMethod", e.target.value as OAuthFieldsState["clientAuthMethod"])}
            >
              {CLIENT_AUTH_METHODS.map((m) => (
                <option key={m} value={m}>
                  {CLIENT_AUTH_LABELS[m]}
                </option>
              ))}
            </select>
          </div>
          <div className="grid-2">
            {text("revocationUrl", "Revocation URL", {
              help: "Tokens are revoked here when the connection is deleted (Microsoft has none).",
            })}
            {value.preset !== "generic" &&
              text("issuer", "Issuer", {
                help: "Checked against the iss parameter of the sign-in response (RFC 9207).",
              })}
          </div>
          <div className="grid-2">
            {text("tokenExpiryMarginSec", "Token expiry margin (seconds)", {
              help: "Tokens are renewed this long before they expire.",
            })}
            {text("secretExpiresOn", "Client secret expires on", {
              type: "date",
              help: "The console warns 30 days ahead.",
            })}
          </div>
        </div>
      </details>
      {guide && (
        <ProviderGuide
          value={value}
          direction={guide.direction}
          protocol={mailProtocol}
          redirectUrl={redirectUrl}
          mailbox={guide.mailbox}
        />
      )}
    </div>
  );
}
