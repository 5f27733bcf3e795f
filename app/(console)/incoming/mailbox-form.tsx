"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { MailPreviewView } from "@/app/_components/mail/mail-preview-view";
import { ReadOnlyNotice } from "@/app/_components/read-only-notice";
import { ConsentResultBanner } from "@/app/_components/oauth/consent-result-banner";
import {
  emptyOAuthFields,
  OAuthFields,
  oauthFieldsFromEdit,
  type OAuthFieldsState,
} from "@/app/_components/oauth/oauth-fields";
import { IdentityNotice } from "@/app/_components/oauth/identity-notice";
import { openConsent } from "@/app/_components/oauth/open-consent";
import type { ConsentIdentity } from "@/lib/oauth/client";
import type { ApplicationChoice } from "@/lib/oauth";
import type { OAuthFieldsForEdit } from "@/lib/oauth/client";
import type { Hint } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/forms";
import { exchangeOnlineEwsWarning } from "@/lib/mail/incoming/client";
import type { MailPreview } from "@/lib/mail/incoming/client";
import {
  AFTER_FETCH_LABELS,
  DEFAULT_PORTS,
  firstAddressOf,
  mailboxFormSchema,
  PROTOCOL_LABELS,
  PROVIDER_SERVERS,
  type MailboxFormInput,
} from "@/lib/mail/incoming/client";
import type { MailboxForEdit } from "@/lib/mail/incoming/client";
import { serverChanged } from "@/lib/mail/incoming/client";
import type { AfterFetchAction, IncomingProtocol } from "@/lib/mail/incoming/client";
import { deleteMailboxAction, sampleFetchAction, saveMailboxAction, verifyMailboxAction } from "./actions";
import { StepsList, type StepView } from "./steps-list";

type FormState = {
  id?: string;
  name: string;
  protocol: IncomingProtocol;
  startTls: boolean;
  authType: "oauth" | "password";
  host: string;
  port: string;
  connectUrl: string;
  username: string;
  password: string;
  emailAddresses: string;
  folder: string;
  afterFetch: AfterFetchAction;
  moveToFolder: string;
  fetchIntervalMin: string;
  debug: boolean;
  disableNewRequests: boolean;
};

type Outcome =
  | { kind: "success"; message: string; steps?: StepView[] }
  | { kind: "failure"; message: string; steps?: StepView[]; raw?: string; hint?: Hint | null }
  | { kind: "sample"; steps: StepView[]; mail: MailPreview | null; folder: string }
  | null;

function initialState(mailbox: MailboxForEdit | null): FormState {
  if (!mailbox) {
    return {
      name: "",
      protocol: "imaps",
      startTls: true,
      authType: "oauth",
      host: PROVIDER_SERVERS.microsoft.imaps?.host ?? "",
      port: String(DEFAULT_PORTS.imaps),
      connectUrl: "",
      username: "",
      password: "",
      emailAddresses: "",
      folder: "INBOX",
      afterFetch: "leave",
      moveToFolder: "",
      fetchIntervalMin: "5",
      debug: false,
      disableNewRequests: false,
    };
  }
  return { ...mailbox, port: String(mailbox.port), password: "", fetchIntervalMin: String(mailbox.fetchIntervalMin) };
}

export function MailboxForm({
  mailbox,
  oauth: storedOAuth,
  applications,
  readOnly,
  redirectUrl,
}: {
  mailbox: MailboxForEdit | null;
  oauth: OAuthFieldsForEdit | null;
  applications: ApplicationChoice[];
  readOnly: boolean;
  redirectUrl: string;
}) {
  const [state, setState] = useState<FormState>(() => initialState(mailbox));
  const [oauth, setOauth] = useState<OAuthFieldsState>(() =>
    storedOAuth ? oauthFieldsFromEdit(storedOAuth) : emptyOAuthFields("microsoft", mailbox?.protocol ?? "imaps"),
  );
  const [connectionId, setConnectionId] = useState<string | null>(mailbox?.connectionId ?? null);
  const [portTyped, setPortTyped] = useState(Boolean(mailbox));
  const [hostTyped, setHostTyped] = useState(Boolean(mailbox?.host || mailbox?.connectUrl));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [consentIdentity, setConsentIdentity] = useState<ConsentIdentity | null>(null);
  const [pending, startTransition] = useTransition();
  const busy = useBusy(pending);
  // what is stored, as of the last successful Save (the page's props describe the state before it)
  const [saved, setSaved] = useState({ name: mailbox?.name ?? "", hasPassword: Boolean(mailbox?.hasPassword) });
  const router = useRouter();

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setState((s) => ({ ...s, [key]: value }));
  const preset = oauth.preset.replace(/_.*$/, "");

  function applyServerSuggestion(protocol: IncomingProtocol, presetName: string, base: FormState): FormState {
    const suggestion = PROVIDER_SERVERS[presetName]?.[protocol];
    if (hostTyped) return base;
    // No server known for this provider and protocol: forget the one another provider filled in.
    if (!suggestion) return { ...base, host: "", connectUrl: "" };
    return {
      ...base,
      host: suggestion.host ?? base.host,
      connectUrl: suggestion.connectUrl ?? base.connectUrl,
      port: !portTyped && suggestion.port ? String(suggestion.port) : base.port,
    };
  }

  function changeProtocol(protocol: IncomingProtocol) {
    setState((s) => {
      const next: FormState = { ...s, protocol, port: portTyped ? s.port : String(DEFAULT_PORTS[protocol]) };
      if (protocol === "pop" || protocol === "pops") {
        next.folder = "INBOX";
        if (s.afterFetch === "mark_read" || s.afterFetch === "move") next.afterFetch = "leave";
      }
      if (protocol === "ews" || protocol === "graph") next.authType = "oauth";
      return applyServerSuggestion(protocol, preset, next);
    });
  }

  function changeOauth(value: OAuthFieldsState) {
    setOauth(value);
    const nextPreset = value.preset.replace(/_.*$/, "");
    if (nextPreset && nextPreset !== preset) setState((s) => applyServerSuggestion(s.protocol, nextPreset, s));
  }

  function formInput(): MailboxFormInput {
    return {
      ...state,
      id: state.id,
      port: state.port,
      fetchIntervalMin: state.fetchIntervalMin,
      oauth: state.authType === "oauth" ? oauth : undefined,
    };
  }

  function validate(): MailboxFormInput | null {
    const input = formInput();
    const parsed = mailboxFormSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error));
      setOutcome({ kind: "failure", message: "Please correct the highlighted fields." });
      return null;
    }
    setErrors({});
    return input;
  }

  async function verify(id: string) {
    const verified = await verifyMailboxAction({ id });
    if (!verified.ok)
      return setOutcome({ kind: "failure", message: verified.error, hint: verified.hint, raw: verified.raw });
    const result = verified.data;
    if (result.ok) setOutcome({ kind: "success", message: result.message, steps: result.steps });
    else
      setOutcome({
        kind: "failure",
        message: `Could not connect: ${result.error}`,
        steps: result.steps,
        raw: result.raw,
        hint: result.hint as Hint | null,
      });
  }

  function save() {
    const input = validate();
    if (!input) return;
    startTransition(async () => {
      setOutcome(null);
      const saved = await saveMailboxAction(input);
      if (!saved.ok) {
        setErrors(saved.fieldErrors ?? {});
        return setOutcome({ kind: "failure", message: saved.error, hint: saved.hint, raw: saved.raw });
      }
      const { id, needsConsent } = saved.data;
      setSaved((before) => ({
        name: input.name || firstAddressOf(input.emailAddresses),
        hasPassword: input.authType === "password" && (Boolean(input.password) || before.hasPassword),
      }));
      setState((s) => ({ ...s, id, password: "" }));
      setConnectionId(saved.data.connectionId);
      if (!mailbox) window.history.replaceState(null, "", `/incoming/${id}`);
      if (needsConsent && saved.data.connectionId) {
        const consent = await openConsent(saved.data.connectionId, { returnTo: `/incoming/${id}` });
        if (!consent.ok) return setOutcome({ kind: "failure", message: consent.error, hint: consent.hint });
        setConsentIdentity(consent.identity ?? null);
      }
      await verify(id);
    });
  }

  function reconnect() {
    if (!connectionId || !state.id) return;
    const id = state.id;
    startTransition(async () => {
      const consent = await openConsent(connectionId, { returnTo: `/incoming/${id}` });
      if (!consent.ok) return setOutcome({ kind: "failure", message: consent.error, hint: consent.hint });
      setConsentIdentity(consent.identity ?? null);
      await verify(id);
    });
  }

  function remove() {
    const id = state.id;
    if (
      !id ||
      !window.confirm(
        `Delete the mailbox ${state.name} and its fetch history? Its OAuth tokens are revoked where the provider supports it.`,
      )
    )
      return;
    startTransition(async () => {
      const result = await deleteMailboxAction({ id });
      if (!result.ok) return setOutcome({ kind: "failure", message: result.error });
      router.push("/incoming");
    });
  }

  function fetchSample() {
    const input = validate();
    if (!input) return;
    startTransition(async () => {
      setOutcome(null);
      const result = await sampleFetchAction(input);
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        return setOutcome({ kind: "failure", message: result.error, hint: result.hint, raw: result.raw });
      }
      const sample = result.data;
      if (sample.ok) setOutcome({ kind: "sample", steps: sample.steps, mail: sample.mail, folder: sample.folder });
      else
        setOutcome({
          kind: "failure",
          message: `The sample fetch failed at the step "${sample.failedStep}": ${sample.error}`,
          steps: sample.steps,
          raw: sample.raw,
          hint: sample.hint,
        });
    });
  }

  const isMailServer = state.protocol !== "ews" && state.protocol !== "graph";
  const firstAddress = firstAddressOf(state.emailAddresses);
  // The server enforces the same rule; this only says it before Save.
  const serverMoved = mailbox !== null && serverChanged({ ...state, port: Number(state.port) }, mailbox);
  const isPop = state.protocol === "pop" || state.protocol === "pops";
  const ewsWarning = state.protocol === "ews" ? exchangeOnlineEwsWarning(state.connectUrl) : null;
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

  return (
    <>
      <div className="page-header">
        <h1>{state.id ? saved.name || "Mailbox" : "Add an incoming mailbox"}</h1>
        {state.id && (
          <Link className="btn btn-secondary" href={`/activity?mailbox=${state.id}`}>
            Fetch history
          </Link>
        )}
      </div>
      {readOnly && <ReadOnlyNotice />}
      <form
        method="post"
        className="form card"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
        aria-busy={pending}
      >
        <ConsentResultBanner onSuccess={state.id ? () => startTransition(() => verify(state.id!)) : undefined} />
        {consentIdentity && connectionId && (
          <IdentityNotice
            identity={consentIdentity}
            connectionId={connectionId}
            returnTo={state.id ? `/incoming/${state.id}` : undefined}
            onRetried={(next) => {
              setConsentIdentity(next.ok ? (next.identity ?? null) : null);
              if (!next.ok) setOutcome({ kind: "failure", message: next.error, hint: next.hint });
              else if (state.id) startTransition(() => verify(state.id!));
            }}
          />
        )}
        <fieldset className="fieldset" disabled={readOnly || busy}>
          <legend>Mailbox</legend>
          <div className="grid-2">
            <div className="field">
              <label htmlFor="emailAddresses">Email Address(es)</label>
              <input
                id="emailAddresses"
                type="text"
                autoComplete="off"
                value={state.emailAddresses}
                onChange={(e) => set("emailAddresses", e.target.value)}
              />
              <p className="field-help">Separate several addresses (aliases) with commas.</p>
              {error("emailAddresses")}
            </div>
            <div className="field">
              <label htmlFor="name">Mailbox name</label>
              <input
                id="name"
                value={state.name}
                placeholder={firstAddress}
                onChange={(e) => set("name", e.target.value)}
              />
              <p className="field-help">Optional: the first email address when blank.</p>
              {error("name")}
            </div>
          </div>
          <div className="field">
            <label htmlFor="protocol">Connection Protocol</label>
            <select
              id="protocol"
              value={state.protocol}
              onChange={(e) => changeProtocol(e.target.value as IncomingProtocol)}
            >
              {(Object.keys(PROTOCOL_LABELS) as IncomingProtocol[]).map((p) => (
                <option key={p} value={p}>
                  {PROTOCOL_LABELS[p]}
                </option>
              ))}
            </select>
          </div>
          {(state.protocol === "imap" || state.protocol === "pop") && (
            <div className="field">
              <label htmlFor="startTls">
                <input
                  id="startTls"
                  type="checkbox"
                  checked={state.startTls}
                  onChange={(e) => set("startTls", e.target.checked)}
                />{" "}
                {state.protocol === "pop" ? "STLS" : "STARTTLS"} (upgrade to TLS before signing in)
              </label>
            </div>
          )}
          <div className="field">
            <label htmlFor="authType">Authentication Type</label>
            <select
              id="authType"
              value={state.authType}
              onChange={(e) => set("authType", e.target.value as "oauth" | "password")}
            >
              <option value="oauth">OAuth</option>
              {isMailServer && <option value="password">Password</option>}
            </select>
            {error("authType")}
            {state.authType === "oauth" && mailbox?.connectionId && serverMoved && (
              <p className="field-help">
                The server changed: saving asks for a fresh sign-in (or the grant&apos;s secret again); the stored token
                is not sent to the new server.
              </p>
            )}
          </div>
          {isMailServer ? (
            <div className="grid-2">
              <div className="field">
                <label htmlFor="host">Server Name / IP Address</label>
                <input
                  id="host"
                  value={state.host}
                  onChange={(e) => {
                    setHostTyped(true);
                    set("host", e.target.value);
                  }}
                />
                {error("host")}
              </div>
              <div className="field">
                <label htmlFor="port">Port</label>
                <input
                  id="port"
                  inputMode="numeric"
                  value={state.port}
                  onChange={(e) => {
                    setPortTyped(true);
                    set("port", e.target.value);
                  }}
                />
                {error("port")}
              </div>
            </div>
          ) : (
            <div className="field">
              <label htmlFor="connectUrl">{state.protocol === "ews" ? "Connect URL" : "Graph base URL"}</label>
              <input
                id="connectUrl"
                value={state.connectUrl}
                onChange={(e) => {
                  setHostTyped(true);
                  set("connectUrl", e.target.value);
                }}
              />
              {error("connectUrl")}
              {ewsWarning && (
                <div className="alert alert-warn" role="alert">
                  {ewsWarning}
                </div>
              )}
            </div>
          )}
          <div className="field">
            <label htmlFor="username">Username</label>
            <input
              id="username"
              autoComplete="off"
              value={state.username}
              placeholder={firstAddress}
              onChange={(e) => set("username", e.target.value)}
            />
            <p className="field-help">
              Optional: the first email address when blank. For a shared mailbox: the shared mailbox&apos;s address (the
              signed-in user must be a delegate).
            </p>
            {error("username")}
          </div>
          {state.authType === "password" && (
            <div className="field">
              <label htmlFor="password">Password</label>
              <input
                id="password"
                type="password"
                autoComplete="new-password"
                value={state.password}
                placeholder={saved.hasPassword && !serverMoved ? "(unchanged)" : ""}
                onChange={(e) => set("password", e.target.value)}
              />
              {saved.hasPassword && !serverMoved && (
                <p className="field-help">Leave blank to keep the stored password.</p>
              )}
              {saved.hasPassword && serverMoved && (
                <p className="field-help">
                  The server changed: enter the password again. A stored password is sent only to the server it was
                  saved for.
                </p>
              )}
              {error("password")}
            </div>
          )}
        </fieldset>

        {state.authType === "oauth" && (
          <fieldset className="fieldset" disabled={readOnly || busy}>
            <legend>OAuth</legend>
            <OAuthFields
              value={oauth}
              onChange={changeOauth}
              errors={oauthErrors}
              redirectUrl={redirectUrl}
              protocol={state.protocol}
              stored={storedOAuth}
              applications={applications}
              guide={{ direction: "incoming", mailbox: state.username || firstAddress }}
            />
            {error("oauth")}
          </fieldset>
        )}

        <fieldset className="fieldset" disabled={readOnly || busy}>
          <legend>Fetching</legend>
          <div className="grid-2">
            <div className="field">
              <label htmlFor="folder">Folder</label>
              <input
                id="folder"
                value={state.folder}
                disabled={isPop}
                onChange={(e) => set("folder", e.target.value)}
              />
              {error("folder")}
            </div>
            <div className="field">
              <label htmlFor="fetchIntervalMin">Fetch interval (minutes)</label>
              <input
                id="fetchIntervalMin"
                inputMode="numeric"
                value={state.fetchIntervalMin}
                onChange={(e) => set("fetchIntervalMin", e.target.value)}
              />
              {error("fetchIntervalMin")}
            </div>
          </div>
          <div className="grid-2">
            <div className="field">
              <label htmlFor="afterFetch">After fetching</label>
              <select
                id="afterFetch"
                value={state.afterFetch}
                onChange={(e) => set("afterFetch", e.target.value as AfterFetchAction)}
              >
                {(Object.keys(AFTER_FETCH_LABELS) as AfterFetchAction[])
                  .filter((a) => !isPop || a === "leave" || a === "delete")
                  .map((a) => (
                    <option key={a} value={a}>
                      {AFTER_FETCH_LABELS[a]}
                    </option>
                  ))}
              </select>
              {error("afterFetch")}
            </div>
            {state.afterFetch === "move" && (
              <div className="field">
                <label htmlFor="moveToFolder">Move to folder</label>
                <input
                  id="moveToFolder"
                  value={state.moveToFolder}
                  onChange={(e) => set("moveToFolder", e.target.value)}
                />
                {error("moveToFolder")}
              </div>
            )}
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
              Records a protocol transcript of every fetch, with every token and password removed.
            </p>
          </div>
          <div className="field">
            <label htmlFor="disableNewRequests">
              <input
                id="disableNewRequests"
                type="checkbox"
                checked={state.disableNewRequests}
                onChange={(e) => set("disableNewRequests", e.target.checked)}
              />{" "}
              Disable new request creation by email
            </label>
          </div>
        </fieldset>

        {!readOnly && (
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save
            </button>
            <button type="button" className="btn btn-secondary" disabled={busy} onClick={fetchSample}>
              Fetch a sample mail
            </button>
            {state.authType === "oauth" && connectionId && state.id && (
              <button type="button" className="btn btn-secondary" disabled={busy} onClick={reconnect}>
                Reconnect
              </button>
            )}
            {state.id && (
              <button type="button" className="btn btn-danger" disabled={busy} onClick={remove}>
                Delete
              </button>
            )}
          </div>
        )}
        {pending && (
          <p className="muted" role="status">
            Working…
          </p>
        )}
        <OutcomeView outcome={outcome} />
      </form>
    </>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  if (outcome.kind === "success") {
    return (
      <div className="stack">
        <div className="alert alert-success" role="status">
          {outcome.message}
        </div>
        {outcome.steps && <StepsList steps={outcome.steps} />}
      </div>
    );
  }
  if (outcome.kind === "failure") {
    return (
      <div className="stack">
        <div className="alert alert-error" role="alert">
          {outcome.message}
        </div>
        {outcome.steps ? (
          <StepsList steps={outcome.steps} raw={outcome.raw} hint={outcome.hint} />
        ) : (
          <StepsList steps={[]} raw={outcome.raw} hint={outcome.hint} />
        )}
      </div>
    );
  }
  const mail = outcome.mail;
  return (
    <section className="stack" aria-label="Sample mail">
      <StepsList steps={outcome.steps} />
      {!mail ? (
        <div className="alert alert-info">The folder is empty: there is no mail to show.</div>
      ) : (
        <MailPreviewView mail={mail} folder={outcome.folder} />
      )}
    </section>
  );
}
