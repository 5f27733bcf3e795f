// What the provider setup guide is made of, and how a value not yet typed shows.
import type { GuideAnchor } from "./guide-anchors";
import type { GrantType, MailProtocol, Preset } from "./presets";

export type GuideInput = {
  preset: Preset;
  grantType: GrantType;
  direction: "incoming" | "outgoing";
  protocol: MailProtocol;
  redirectUrl: string;
  clientId: string;
  tenant: string;
  /** the mailbox the connection reads or sends as */
  mailbox: string;
  scope: string;
  /** Microsoft app-only: the Object ID of the app's service principal (Enterprise applications), typed in the guide */
  servicePrincipalId: string;
  /** Google service account: its numeric Unique ID (client_id of the key file), typed in the guide */
  serviceAccountUniqueId: string;
};

/** One step: paragraphs, values to enter or grant (shown as code), PowerShell or console lines to copy. */
export type GuideStep = {
  id: GuideAnchor;
  title: string;
  text: string[];
  values?: string[];
  commands?: string[];
  warning?: string;
};

/** A typed value, or a placeholder that says what belongs there. */
export const orPlaceholder = (value: string, placeholder: string) => value.trim() || `<${placeholder}>`;
