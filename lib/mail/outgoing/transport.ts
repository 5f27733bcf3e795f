// The one shape every outgoing protocol adapter has: prove the settings work (connect and authenticate, no
// mail), and send one composed message, answering with what the server said about it (queue id, Graph/EWS
// response). Adapters never touch the database: OAuth tokens come from a provider function.
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import type { StepRecorder } from "@/lib/mail/steps";

export const OUTGOING_PROTOCOLS = ["smtp", "smtps", "ews", "graph"] as const;
export type OutgoingProtocol = (typeof OUTGOING_PROTOCOLS)[number];

export type OutgoingToken = { accessToken: string; expiresAt?: Date | null };

export type OutgoingAuth =
  | { type: "password"; user: string; password: string }
  | { type: "oauth"; user: string; getToken(opts?: { forceRefresh?: boolean }): Promise<OutgoingToken> };

export type OutgoingSettings = {
  protocol: OutgoingProtocol;
  /** SMTP/SMTPS server; the alternate is a second, equivalent server */
  host: string;
  port: number;
  /** EWS endpoint or Graph base URL (…/v1.0) */
  connectUrl?: string | null;
  /** the mailbox that sends (Graph/EWS: the mailbox whose Sent Items keep the copy) */
  mailbox: string;
  /** EWS with an app-only token: act as the mailbox through ExchangeImpersonation */
  impersonate?: boolean;
  ca?: string;
  proxy?: string;
  timeoutMs?: number;
};

/** A composed message: the envelope and the raw MIME that goes on the wire. */
export type ComposedMessage = { from: string; to: string[]; raw: Buffer; messageId: string };

export type SendOutcome = {
  /** which server accepted it (host:port or the service URL's host) */
  server: string;
  /** SMTP: the server's queue id when its reply names one; Graph: the request-id; EWS: the response code */
  queueId: string | null;
  /** the server's own words about the accepted message */
  response: string;
};

export type TransportContext = {
  steps: StepRecorder;
  transcript?: TranscriptRecorder;
  /** called right before the message is handed to the server: from here on it may have been accepted */
  onSubmit?: () => Promise<void>;
};

export interface OutgoingTransport {
  readonly server: string;
  /** Connects and authenticates for real without sending anything. */
  verify(ctx: TransportContext): Promise<void>;
  send(message: ComposedMessage, ctx: TransportContext): Promise<SendOutcome>;
}
