"use client";
import { useState } from "react";
import { providerSetupGuide, type GuideInput, type GuideStep } from "@/lib/oauth/client";
import type { OAuthFieldsState } from "./oauth-fields";

type Props = {
  value: OAuthFieldsState;
  direction: GuideInput["direction"];
  protocol: GuideInput["protocol"];
  redirectUrl: string;
  mailbox: string;
};

function CopyLine({ line }: { line: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-field">
      <code className="guide-line">{line}</code>
      <button
        type="button"
        className="btn btn-secondary"
        onClick={() =>
          void navigator.clipboard?.writeText(line).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

function Step({ step, index, extra }: { step: GuideStep; index: number; extra?: React.ReactNode }) {
  return (
    <li id={step.id} className="stack">
      <strong>
        {index + 1}. {step.title}
      </strong>
      {step.text.map((t, i) => (
        <p key={i}>{t}</p>
      ))}
      {step.values && (
        <ul>
          {step.values.map((v) => (
            <li key={v}>
              <code>{v}</code>
            </li>
          ))}
        </ul>
      )}
      {extra}
      {step.commands?.map((line) => (
        <CopyLine key={line} line={line} />
      ))}
      {step.warning && <p className="alert alert-warn">{step.warning}</p>}
    </li>
  );
}

/** The provider's side, step by step, with the values typed beside it; error hints link to its steps. */
export function ProviderGuide({ value, direction, protocol, redirectUrl, mailbox }: Props) {
  const [servicePrincipalId, setServicePrincipalId] = useState("");
  const [serviceAccountUniqueId, setServiceAccountUniqueId] = useState("");
  const steps = providerSetupGuide({
    preset: value.preset,
    grantType: value.grantType,
    direction,
    protocol,
    redirectUrl,
    clientId: value.clientId,
    tenant: value.tenant,
    mailbox: mailbox || value.subject || value.loginHint,
    scope: value.scope,
    servicePrincipalId,
    serviceAccountUniqueId,
  });
  const extraFor = (step: GuideStep) => {
    if (step.id === "guide-service-principal") {
      return (
        <div className="field">
          <label htmlFor="guide-object-id">Service principal Object ID</label>
          <input
            id="guide-object-id"
            autoComplete="off"
            value={servicePrincipalId}
            placeholder="00000000-0000-0000-0000-000000000000"
            onChange={(e) => setServicePrincipalId(e.target.value.trim())}
          />
          <p className="field-help">Only used to fill the lines below; it is not saved.</p>
        </div>
      );
    }
    if (step.id === "guide-google-service-account") {
      return (
        <div className="field">
          <label htmlFor="guide-unique-id">Service account Unique ID</label>
          <input
            id="guide-unique-id"
            autoComplete="off"
            inputMode="numeric"
            value={serviceAccountUniqueId}
            onChange={(e) => setServiceAccountUniqueId(e.target.value.trim())}
          />
        </div>
      );
    }
    return null;
  };
  return (
    <details className="card stack" open aria-label="Setup guide">
      <summary>Set up the provider&apos;s side</summary>
      <ol className="stack guide-steps">
        {steps.map((step, i) => (
          <Step key={step.id} step={step} index={i} extra={extraFor(step)} />
        ))}
      </ol>
    </details>
  );
}
