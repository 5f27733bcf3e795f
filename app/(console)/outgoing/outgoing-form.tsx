"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, useTransition } from "react";
import { ConsentResultBanner } from "@/app/_components/oauth/consent-result-banner";
import {
  emptyOAuthFields,
  OAuthFields,
  oauthFieldsFromEdit,
  type OAuthFieldsState,
} from "@/app/_components/oauth/oauth-fields";
import { openConsent } from "@/app/_components/oauth/open-consent";
import type { Hint } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/forms";
import {
  basicAuthSwitchOffWarning,
  DEFAULT_PORTS,
  OUTGOING_PROTOCOLS,
  outgoingFormSchema,
  PROTOCOL_LABELS,
  PROVIDER_SERVERS,
  type OutgoingFormInput,
  type OutgoingProtocol,
} from "@/lib/mail/outgoing/client";
import type { OutgoingForEdit } from "@/lib/mail/outgoing/client";
import type { ApplicationChoice } from "@/lib/oauth";
import type { OAuthFieldsForEdit } from "@/lib/oauth/client";
import { saveOutgoingAction, verifyOutgoingAction } from "./actions";
import { CheckOutcome, type Outcome } from "./check-outcome";
import { TestMail } from "./test-mail";
import { ReadOnlyNotice } from "@/app/_components/read-only-notice";

type FormState = Omit<OutgoingFormInput, "port" | "maxEmailSizeMb" | "oauth"> & {
  port: string;
  maxEmailSizeMb: string;
  password: string;
};

function initialState(saved: OutgoingForEdit | null): FormState {
  if (!saved) {
    return {
      protocol: "smtp",
      host: PROVIDER_SERVERS.microsoft.smtp?.host ?? "",
      alternateHost: "",
      port: "587",
      connectUrl: "",
      enableTls: true,
      authType: "oauth",
      username: "",
      password: "",
      senderName: "",
      replyTo: "",
      maxEmailSizeMb: "25",
      contactEmail: "",
      debug: false,
    };
  }
  const { hasPassword: _h, connectionId: _c, ...values } = saved;
  return { ...values, port: String(saved.port), maxEmailSizeMb: String(saved.maxEmailSizeMb), password: "" };
}

/** The OAuth preset's scopes follow the protocol: SMTPS and SMTP both use the SMTP scopes. */
const scopeProtocol = (protocol: OutgoingProtocol) => (protocol === "smtps" ? "smtp" : protocol);

export function OutgoingForm({
  saved,
  oauth: storedOAuth,
  applications,
  readOnly,
  redirectUrl,
}: {
  saved: OutgoingForEdit | null;
  oauth: OAuthFieldsForEdit | null;
  applications: ApplicationChoice[];
  readOnly: boolean;
  redirectUrl: string;
}) {
  const [state, setState] = useState<FormState>(() => initialState(saved));
  const [oauth, setOauth] = useState<OAuthFieldsState>(() =>
    storedOAuth ? oauthFieldsFromEdit(storedOAuth) : emptyOAuthFields("microsoft", "smtp"),
  );
  const [connectionId, setConnectionId] = useState<string | null>(saved?.connectionId ?? null);
  const [isSaved, setIsSaved] = useState(Boolean(saved));
  const [portTyped, setPortTyped] = useState(Boolean(saved));
  const [hostTyped, setHostTyped] = useState(Boolean(saved?.host || saved?.connectUrl));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setState((s) => ({ ...s, [key]: value }));
  const preset = oauth.preset.replace(/_.*$/, "");

  function suggest(protocol: OutgoingProtocol, presetName: string, base: FormState): FormState {
    const suggestion = PROVIDER_SERVERS[presetName]?.[protocol];
    const port = portTyped ? base.port : String(suggestion?.port ?? DEFAULT_PORTS[protocol]);
    if (hostTyped) return { ...base, port };
    if (!suggestion) return { ...base, host: "", connectUrl: "", port };
    return { ...base, host: suggestion.host ?? "", connectUrl: suggestion.connectUrl ?? "", port };
  }

  function changeProtocol(protocol: OutgoingProtocol) {
    setState((s) =>
      suggest(protocol, preset, {
        ...s,
        protocol,
        ...(protocol === "ews" || protocol === "graph" ? { authType: "oauth" as const } : {}),
      }),
    );
  }

  function changeOauth(value: OAuthFieldsState) {
    setOauth(value);
    const nextPreset = value.preset.replace(/_.*$/, "");
    if (nextPreset !== preset) setState((s) => suggest(s.protocol, nextPreset, s));
  }

  /** The warning's offer: OAuth with the Microsoft 365 preset, servers and scopes filled in. */
  function applyMicrosoftPreset() {
    setState((s) => ({
      ...s,
      authType: "oauth",
      protocol: "smtp",
      host: "smtp.office365.com",
      port: "587",
      enableTls: true,
    }));
    setOauth((o) => ({ ...emptyOAuthFields("microsoft", "smtp"), clientId: o.clientId, tenant: o.tenant }));
  }

  function validate(): OutgoingFormInput | null {
    const input: OutgoingFormInput = {
      ...state,
      oauth: state.authType === "oauth" ? { ...oauth, loginHint: oauth.loginHint || state.username } : undefined,
    };
    const parsed = outgoingFormSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error));
      setOutcome({ kind: "failure", message: "Please correct the highlighted fields." });
      return null;
    }
    setErrors({});
    return input;
  }

  async function verify() {
    const verified = await verifyOutgoingAction({});
    if (!verified.ok)
      return setOutcome({ kind: "failure", message: verified.error, hint: verified.hint, raw: verified.raw });
    const result = verified.data;
    setOutcome(
      result.ok
        ? { kind: "success", message: result.message, steps: result.steps, skipped: result.skipped }
        : {
            kind: "failure",
            message: `Could not connect: ${result.error}`,
            steps: result.steps,
            raw: result.raw,
            hint: result.hint as Hint | null,
            skipped: result.skipped,
            alternateNotTried: result.alternateNotTried,
          },
    );
  }

  /** Consent when it is needed (popup, or a redirect when popups are blocked), then the real connection check. */
  async function consentAndVerify(id: string | null, needsConsent: boolean) {
    if (needsConsent && id) {
      const consent = await openConsent(id, { returnTo: "/outgoing" });
      if (!consent.ok) return setOutcome({ kind: "failure", message: consent.error, hint: consent.hint });
    }
    await verify();
  }

  function save() {
    const input = validate();
    if (!input) return;
    startTransition(async () => {
      setOutcome(null);
      const result = await saveOutgoingAction(input);
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        return setOutcome({ kind: "failure", message: result.error, hint: result.hint, raw: result.raw });
      }
      setIsSaved(true);
      set("password", "");
      setConnectionId(result.data.connectionId);
      await consentAndVerify(result.data.connectionId, result.data.needsConsent);
    });
  }

  const reconnect = () => startTransition(() => consentAndVerify(connectionId, true));

  const smtp = state.protocol === "smtp" || state.protocol === "smtps";
  const warning = basicAuthSwitchOffWarning(state);
  const error = (field: string) =>
    errors[field] ? (
      <p className="field-error" id={`${field}-error`}>
        {errors[field]}
      </p>
    ) : null;
  const oauthErrors = Object.fromEntries(
    Object.entries(errors)
      .filter(([k]) => k.startsWith("oauth."))
      .map(([k, v]) => [k.slice(6), v]),
  );
  const field = (
    id: keyof FormState,
    label: string,
    opts: { help?: string; type?: string; onChange?: (v: string) => void; placeholder?: string } = {},
  ) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={opts.type ?? "text"}
        autoComplete="off"
        value={String(state[id] ?? "")}
        placeholder={opts.placeholder}
        onChange={(e) => (opts.onChange ?? ((v: string) => set(id, v as never)))(e.target.value)}
      />
      {opts.help && <p className="field-help">{opts.help}</p>}
      {error(id)}
    </div>
  );

  return (
    <div className="stack">
      <form
        method="post"
        className="form card"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
        aria-busy={pending}
      >
        <ConsentResultBanner onSuccess={isSaved ? () => startTransition(verify) : undefined} />
        {readOnly && <ReadOnlyNotice />}
        <fieldset className="fieldset" disabled={readOnly || busy}>
          <legend>Outgoing mail server</legend>
          <div className="field">
            <label htmlFor="protocol">Connection Protocol</label>
            <select
              id="protocol"
              value={state.protocol}
              onChange={(e) => changeProtocol(e.target.value as OutgoingProtocol)}
            >
              {OUTGOING_PROTOCOLS.map((p) => (
                <option key={p} value={p}>
                  {PROTOCOL_LABELS[p]}
                </option>
              ))}
            </select>
          </div>
          {smtp ? (
            <>
              <div className="grid-2">
                {field("host", "Server Name / IP Address", {
                  onChange: (v) => {
                    setHostTyped(true);
                    set("host", v);
                  },
                })}
                {field("port", "Port", {
                  onChange: (v) => {
                    setPortTyped(true);
                    set("port", v);
                  },
                })}
              </div>
              {field("alternateHost", "Alternate Server Name / IP Address", {
                help: "Used when the server cannot be reached (refused, timed out, TLS failure); host or host:port.",
              })}
              {state.protocol === "smtp" && (
                <div className="field">
                  <label htmlFor="enableTls">
                    <input
                      id="enableTls"
                      type="checkbox"
                      checked={state.enableTls}
                      onChange={(e) => set("enableTls", e.target.checked)}
                    />{" "}
                    Enable TLS (STARTTLS required before signing in)
                  </label>
                </div>
              )}
            </>
          ) : (
            field("connectUrl", state.protocol === "ews" ? "Connect URL" : "Graph base URL", {
              onChange: (v) => {
                setHostTyped(true);
                set("connectUrl", v);
              },
            })
          )}
          <div className="field">
            <label htmlFor="authType">Authentication Type</label>
            <select
              id="authType"
              value={state.authType}
              onChange={(e) => set("authType", e.target.value as "oauth" | "password")}
            >
              <option value="oauth">OAuth</option>
              {smtp && <option value="password">Password</option>}
            </select>
            {error("authType")}
          </div>
          {warning && (
            <div className="alert alert-warn" role="alert">
              <p>{warning}</p>
              <button type="button" className="btn btn-secondary" onClick={applyMicrosoftPreset}>
                Use the Microsoft 365 preset (OAuth)
              </button>
            </div>
          )}
          <div className="grid-2">
            {field("username", "Username", {
              help: "The sending mailbox's address (for Graph/EWS a shared mailbox works too): it is the From address.",
            })}
            {state.authType === "password" &&
              field("password", "Password", {
                type: "password",
                placeholder: saved?.hasPassword ? "(unchanged)" : "",
                help: saved?.hasPassword ? "Leave blank to keep the stored password." : undefined,
              })}
          </div>
          <div className="grid-2">
            {field("senderName", "Sender Name")}
            {field("replyTo", "Reply-To Address")}
          </div>
          <div className="grid-2">
            {field("maxEmailSizeMb", "Max Email Size (MB)", { help: "Larger messages are refused before sending." })}
            {field("contactEmail", "Contact Information", {
              help: "Who is told (through the alternate server) when sending fails.",
            })}
          </div>
          <div className="field">
            <label htmlFor="debug">
              <input
                id="debug"
                type="checkbox"
                checked={state.debug}
                onChange={(e) => set("debug", e.target.checked)}
              />{" "}
              Enable Email Debug
            </label>
            <p className="field-help">
              Keeps the protocol transcript of each send under Activity, with every token and password removed.
            </p>
          </div>
        </fieldset>
        {state.authType === "oauth" && (
          <fieldset className="fieldset" disabled={readOnly || busy}>
            <legend>OAuth</legend>
            <OAuthFields
              value={oauth}
              onChange={changeOauth}
              errors={oauthErrors}
              redirectUrl={redirectUrl}
              protocol={scopeProtocol(state.protocol)}
              stored={storedOAuth}
              applications={applications}
              guide={{ direction: "outgoing", mailbox: state.username }}
            />
            {error("oauth")}
          </fieldset>
        )}
        {!readOnly && (
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save
            </button>
            {state.authType === "oauth" && connectionId && isSaved && (
              <button type="button" className="btn btn-secondary" disabled={busy} onClick={reconnect}>
                Reconnect
              </button>
            )}
          </div>
        )}
        {pending && (
          <p className="muted" role="status">
            Working…
          </p>
        )}
        <CheckOutcome outcome={outcome} />
      </form>
      {!readOnly && isSaved && <TestMail />}
    </div>
  );
}
