"use client";
import { useRef, useState, useTransition } from "react";
import { discoverEndpointsAction } from "./actions";
import {
  CLIENT_AUTH_LABELS,
  CLIENT_AUTH_METHODS,
  CLOUD_LABELS,
  CLOUDS,
  GRANT_LABELS,
  GRANT_TYPES,
  parseServiceAccountKey,
  type OAuthFieldsForEdit,
} from "@/lib/oauth/connection-schema";
import type { ApplicationChoice } from "@/lib/oauth";
import { PRESET_LABELS, PRESETS, presetDefaults, type Cloud, type GrantType, type MailProtocol, type Preset } from "@/lib/oauth/presets";

/** The form state of the OAuth fields: strings as typed; secrets blank unless the admin types a new one. */
export type OAuthFieldsState = {
  connectionId?: string;
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

export type StoredSecrets = Pick<OAuthFieldsForEdit, "hasClientSecret" | "hasPrivateKey" | "hasPassword" | "hasRefreshToken">;

const DEFAULTED = ["grantType", "authorizeUrl", "tokenUrl", "revocationUrl", "scope", "clientAuthMethod"] as const;

/** Maps a mail protocol of a settings page to the protocol a preset's scopes are for. */
export function presetProtocol(protocol: string | undefined): MailProtocol {
  if (protocol === "pop" || protocol === "pops") return "pop";
  if (protocol === "graph" || protocol === "ews" || protocol === "smtp") return protocol;
  return "imap";
}

function defaultsFor(s: Pick<OAuthFieldsState, "preset" | "tenant" | "cloud">, protocol: MailProtocol) {
  const d = presetDefaults(s.preset, { tenant: s.tenant, cloud: s.cloud, protocol });
  return { grantType: d.grantType, authorizeUrl: d.authorizeUrl, tokenUrl: d.tokenUrl, revocationUrl: d.revocationUrl ?? "", scope: d.scope, clientAuthMethod: d.clientAuthMethod };
}

export function emptyOAuthFields(preset: Preset = "microsoft", protocol?: string): OAuthFieldsState {
  const base = { preset, cloud: "global" as Cloud, tenant: "" };
  return {
    ...base,
    ...defaultsFor(base, presetProtocol(protocol)),
    clientId: "", clientSecret: "", privateKey: "", privateKeyId: "", issuer: "", subject: "", password: "", refreshToken: "",
    tokenExpiryMarginSec: "300", secretExpiresOn: "", loginHint: "",
  };
}

export function oauthFieldsFromEdit(edit: OAuthFieldsForEdit): OAuthFieldsState {
  return { ...edit, clientSecret: "", privateKey: "", password: "", refreshToken: "", tokenExpiryMarginSec: String(edit.tokenExpiryMarginSec) };
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
};

export function OAuthFields({ value, onChange, errors, redirectUrl, protocol, stored: storedProp, showMailbox, idPrefix = "oauth", applications = [] }: Props) {
  const mailProtocol = presetProtocol(protocol);
  // The defaults last filled in: a field still holding its default follows tenant/cloud/protocol changes,
  // a field the admin edited is left alone.
  const applied = useRef(defaultsFor(value, mailProtocol));
  const lastProtocol = useRef(mailProtocol);
  const [copied, setCopied] = useState(false);
  const [keyJsonError, setKeyJsonError] = useState<string | null>(null);
  const [discovery, setDiscovery] = useState<{ ok: boolean; text: string } | null>(null);
  const [discovering, startDiscovery] = useTransition();
  const [chosen, setChosen] = useState<ApplicationChoice | null>(null);
  const stored = chosen
    ? { hasClientSecret: chosen.hasClientSecret, hasPrivateKey: chosen.hasPrivateKey, hasPassword: Boolean(storedProp?.hasPassword), hasRefreshToken: Boolean(storedProp?.hasRefreshToken) }
    : storedProp;

  function choose(applicationId: string) {
    const app = applications.find((a) => a.id === applicationId) ?? null;
    setChosen(app);
    if (!app) return;
    const next: OAuthFieldsState = { ...value, ...app.fields, tokenExpiryMarginSec: String(app.fields.tokenExpiryMarginSec), clientSecret: "", privateKey: "" };
    // The application's endpoints become the defaults the protocol and tenant follow from now on.
    applied.current = { ...defaultsFor(next, mailProtocol), authorizeUrl: next.authorizeUrl, tokenUrl: next.tokenUrl, revocationUrl: next.revocationUrl };
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
      if (force || out[key] === applied.current[key] || out[key] === "") (out as Record<string, string>)[key] = fresh[key];
    }
    applied.current = fresh;
    return out;
  }

  if (lastProtocol.current !== mailProtocol) {
    lastProtocol.current = mailProtocol;
    const next = refill(value, false);
    if (DEFAULTED.some((k) => next[k] !== value[k])) queueMicrotask(() => onChange(next));
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
  const err = (name: string) => (errors[name] ? <p className="field-error" id={`${id(name)}-error`}>{errors[name]}</p> : null);
  const microsoft = value.preset.startsWith("microsoft");
  const grant = value.grantType;
  const usesSecret = (value.clientAuthMethod === "client_secret_post" || value.clientAuthMethod === "client_secret_basic") && grant !== "jwt_bearer";
  const usesKey = value.clientAuthMethod === "private_key_jwt" || grant === "jwt_bearer";
  const text = (name: keyof OAuthFieldsState, label: string, opts: { help?: string; type?: string; placeholder?: string; autoComplete?: string } = {}) => (
    <div className="field">
      <label htmlFor={id(name)}>{label}</label>
      <input
        id={id(name)}
        type={opts.type ?? "text"}
        autoComplete={opts.autoComplete ?? "off"}
        placeholder={opts.placeholder}
        value={String(value[name] ?? "")}
        aria-invalid={Boolean(errors[name])}
        onChange={(e) => set(name, e.target.value as never)}
      />
      {opts.help && <p className="field-help">{opts.help}</p>}
      {err(name)}
    </div>
  );

  return (
    <div className="stack">
      {applications.length > 0 && (
        <div className="field">
          <label htmlFor={id("application")}>OAuth application</label>
          <select id={id("application")} value={chosen?.id ?? ""} onChange={(e) => choose(e.target.value)}>
            <option value="">Enter the application&apos;s fields</option>
            {applications.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
          </select>
          <p className="field-help">One Azure app or Google client serves every mailbox: pick it to reuse its client ID and stored secret.</p>
        </div>
      )}
      <div className="grid-2">
        <div className="field">
          <label htmlFor={id("preset")}>Provider</label>
          <select id={id("preset")} value={value.preset} onChange={(e) => set("preset", e.target.value as Preset)}>
            {PRESETS.map((p) => <option key={p} value={p}>{PRESET_LABELS[p]}</option>)}
          </select>
          <p className="field-help">A provider fills the fields below; every field stays editable.</p>
        </div>
        <div className="field">
          <label htmlFor={id("grantType")}>Grant type</label>
          <select id={id("grantType")} value={grant} onChange={(e) => set("grantType", e.target.value as GrantType)}>
            {GRANT_TYPES.map((g) => <option key={g} value={g}>{GRANT_LABELS[g]}</option>)}
          </select>
          {err("grantType")}
        </div>
      </div>
      {microsoft && (
        <div className="grid-2">
          <div className="field">
            <label htmlFor={id("cloud")}>Microsoft cloud</label>
            <select id={id("cloud")} value={value.cloud} onChange={(e) => set("cloud", e.target.value as Cloud)}>
              {CLOUDS.map((c) => <option key={c} value={c}>{CLOUD_LABELS[c]}</option>)}
            </select>
          </div>
          {text("tenant", "Tenant", { help: "Directory (tenant) ID or domain, e.g. contoso.onmicrosoft.com. Blank: organizations." })}
        </div>
      )}
      {grant === "jwt_bearer" && (
        <div className="field">
          <label htmlFor={id("serviceAccountJson")}>Service account JSON key</label>
          <textarea id={id("serviceAccountJson")} rows={3} placeholder='{"type": "service_account", …}' onChange={(e) => pasteServiceAccount(e.target.value)} />
          <p className="field-help">Paste the key file: it fills the client email, private key, key ID and token URL. It is not kept as pasted.</p>
          {keyJsonError && <p className="field-error">{keyJsonError}</p>}
        </div>
      )}
      <div className="grid-2">
        {text("clientId", grant === "jwt_bearer" ? "Client ID (service account email)" : "Client ID")}
        {usesSecret &&
          text("clientSecret", "Client Secret", {
            type: "password",
            autoComplete: "new-password",
            placeholder: stored?.hasClientSecret ? "(stored — leave blank to keep)" : "",
            help: microsoft ? "The secret's Value, not its Secret ID." : undefined,
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
              placeholder={stored?.hasPrivateKey ? "(stored — leave blank to keep)" : "-----BEGIN PRIVATE KEY-----"}
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
            <input id={id("issuer")} value={value.issuer} placeholder="https://login.example.com" onChange={(e) => set("issuer", e.target.value)} />
            <button type="button" className="btn btn-secondary" disabled={discovering || !value.issuer} onClick={discover}>Discover endpoints</button>
          </div>
          <p className="field-help">Optional: fills the endpoints from the provider's metadata, and the sign-in response&apos;s iss is checked against it (RFC 9207).</p>
          {discovery && <p className={discovery.ok ? "field-help" : "field-error"} role="status">{discovery.text}</p>}
          {err("issuer")}
        </div>
      )}
      <div className="grid-2">
        {text("authorizeUrl", "Authorize URL", { help: grant === "authorization_code" ? undefined : "Not used by this grant." })}
        {text("tokenUrl", "Access Token URL")}
      </div>
      {text("scope", "Scope", { help: "Space-separated. IMAP/POP/SMTP use outlook.office.com scopes, Graph uses graph.microsoft.com; app-only uses .default." })}
      {grant === "authorization_code" && (
        <div className="field">
          <label htmlFor={id("redirectUrl")}>Redirect URL</label>
          <div className="copy-field">
            <input id={id("redirectUrl")} readOnly value={redirectUrl} />
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(redirectUrl).then(() => setCopied(true), () => setCopied(false));
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
          <p className="field-help">Register exactly this address at the provider (Azure: Authentication → Web).</p>
        </div>
      )}
      {grant === "password" && (
        <div className="grid-2">
          {text("subject", "User name (ROPC)")}
          {text("password", "User password (ROPC)", { type: "password", autoComplete: "new-password", placeholder: stored?.hasPassword ? "(stored — leave blank to keep)" : "" })}
        </div>
      )}
      {grant === "jwt_bearer" && text("subject", "Mailbox to impersonate", { help: "The user whose mail the service account reads (domain-wide delegation)." })}
      {grant === "refresh_token" &&
        text("refreshToken", "Refresh token", {
          type: "password",
          autoComplete: "off",
          placeholder: stored?.hasRefreshToken ? "(stored — leave blank to keep)" : "",
          help: "For providers where this console's Redirect URL cannot be registered: obtain a refresh token elsewhere (e.g. with curl) and paste it.",
        })}
      {showMailbox && grant === "authorization_code" && text("loginHint", "Mailbox (login hint)", { help: "Pre-fills the sign-in page with this address." })}
      <details>
        <summary>Advanced</summary>
        <div className="stack">
          <div className="field">
            <label htmlFor={id("clientAuthMethod")}>Client authentication</label>
            <select id={id("clientAuthMethod")} value={value.clientAuthMethod} onChange={(e) => set("clientAuthMethod", e.target.value as OAuthFieldsState["clientAuthMethod"])}>
              {CLIENT_AUTH_METHODS.map((m) => <option key={m} value={m}>{CLIENT_AUTH_LABELS[m]}</option>)}
            </select>
          </div>
          <div className="grid-2">
            {text("revocationUrl", "Revocation URL", { help: "Tokens are revoked here when the connection is deleted (Microsoft has none)." })}
            {value.preset !== "generic" && text("issuer", "Issuer", { help: "Checked against the iss parameter of the sign-in response (RFC 9207)." })}
          </div>
          <div className="grid-2">
            {text("tokenExpiryMarginSec", "Token expiry margin (seconds)", { help: "Tokens are renewed this long before they expire." })}
            {text("secretExpiresOn", "Client secret expires on", { type: "date", help: "The console warns 30 days ahead." })}
          </div>
        </div>
      </details>
    </div>
  );
}
