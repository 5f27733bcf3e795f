// The one shape every incoming protocol adapter has: connect, open a folder, list what is new after a stored
// cursor, stream a message's raw MIME, and apply the after-fetch action once the caller has stored the mail.
import type { Readable } from "node:stream";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import type { StepRecorder } from "./steps";

export const INCOMING_PROTOCOLS = ["imap", "imaps", "pop", "pops", "ews", "graph"] as const;
export type IncomingProtocol = (typeof INCOMING_PROTOCOLS)[number];

export const AFTER_FETCH_ACTIONS = ["leave", "mark_read", "move", "delete"] as const;
export type AfterFetchAction = (typeof AFTER_FETCH_ACTIONS)[number];

export type OAuthToken = { accessToken: string; expiresAt?: Date | null };

/** How an adapter proves who it is. OAuth tokens come from a provider function, so adapters never touch the DB. */
export type SourceAuth =
  | { type: "password"; user: string; password: string }
  | { type: "oauth"; user: string; getToken(opts?: { forceRefresh?: boolean }): Promise<OAuthToken> };

export type SourceSettings = {
  protocol: IncomingProtocol;
  /** IMAP/POP only: upgrade a plain connection with STARTTLS/STLS (required when true) */
  startTls: boolean;
  host: string;
  port: number;
  /** EWS endpoint or Graph base URL (…/v1.0) */
  connectUrl?: string | null;
  /** the mailbox to open; for a shared mailbox this differs from the token's user */
  mailbox: string;
  folder: string;
  /** extra trusted CA certificates (PEM) next to the system ones; certificate checks stay on */
  ca?: string;
  proxy?: string;
  /** renew the OAuth session this long before the token expires (default 60 s) */
  tokenRenewMarginMs?: number;
  /** EWS with an app-only token: act as the mailbox through ExchangeImpersonation */
  impersonate?: boolean;
  timeoutMs?: number;
};

export type ImapCursor = { protocol: "imap"; uidValidity: string; lastUid: number };
export type Pop3Cursor = { protocol: "pop3"; seenUidls: string[] };
/**
 * `known`: hashes of the message ids already listed (Graph's delta reports changed messages like new ones).
 * `since` (ISO): an import from that date; the delta (and any full resync) lists only mail received since.
 */
export type GraphCursor = { protocol: "graph"; deltaLink: string; known?: string[]; since?: string };
/**
 * `syncState` "" is the start of a sync; `since` (ISO): only items received since then are listed. `known`
 * (the "now" of a first connection only): hashes of the items then in the folder, which a sync state does not
 * name: what an import lists from among them is imported mail, also when the import resumes after a stop.
 */
export type EwsCursor = { protocol: "ews"; syncState: string; since?: string; known?: string[] };
export type SourceCursor = ImapCursor | Pop3Cursor | GraphCursor | EwsCursor;

/** `size`: the listed size; `sizeAtMost`: a bound instead, where the source lists small messages without theirs. */
export type ListedMessage = { id: string; size?: number; sizeAtMost?: number };

/** A message read in a batch: its raw MIME whole (batches hold only messages under the caller's size cap). */
export type BatchMessage = { id: string; raw: Buffer };

export type FetchBatchOptions = {
  /** checked between messages; an aborted batch ends with the signal's reason */
  signal?: AbortSignal;
  /** a message larger than this is refused rather than buffered (the caller streams those with fetchRaw) */
  maxBytes?: number;
  /**
   * A message of the batch that could not be read (Graph/EWS answer per message: gone, refused, throttled
   * past its retries) while the others were handed over. Without it, the batch fails with the first such error
   * once the others are handed over.
   */
  onItemError?: (id: string, error: Error) => void;
};

export type ListNewResult = {
  messages: ListedMessage[];
  /** the cursor to store once every listed message is stored */
  nextCursor: SourceCursor;
};

export type AfterFetch = { action: AfterFetchAction; moveToFolder?: string | null };

export interface IncomingSession {
  openFolder(name: string, opts?: { readOnly?: boolean }): Promise<void>;
  /** messages after `cursor` (all messages of the folder for null), oldest first */
  listNew(cursor: SourceCursor | null): Promise<ListNewResult>;
  /** the oldest message of the open folder, or null when it is empty */
  oldest(): Promise<ListedMessage | null>;
  /**
   * The raw MIME of a message as a stream; reading it never changes the message on the server. With
   * `maxBytes` the adapter may stop after that many bytes (the caller reads no more than that).
   */
  fetchRaw(id: string, opts?: { maxBytes?: number }): Promise<Readable>;
  /**
   * The raw MIME of several messages over one command where the protocol allows (IMAP: one UID FETCH of
   * BODY.PEEK[] streamed; POP3: pipelined RETR; Graph: JSON $batch; EWS: GetItem with many ItemIds), in
   * listing order, handed to `onMessage` one at a time. Never changes a message.
   */
  fetchBatch(
    messages: ListedMessage[],
    onMessage: (message: BatchMessage) => Promise<void> | void,
    opts?: FetchBatchOptions,
  ): Promise<void>;
  /**
   * Where a first connection starts: "now" (only mail arriving later is listed), or with `since` the point
   * from which mail received on or after that date is listed (null: protocols without a date search list everything).
   */
  baseline(opts?: { since?: Date }): Promise<SourceCursor | null>;
  /** call only after the mail is safely stored */
  applyAfterFetch(id: string, action: AfterFetch): Promise<void>;
  /** the after-fetch action for many messages at once (IMAP: one STORE/MOVE/EXPUNGE over a UID set) */
  applyAfterFetchBatch(ids: string[], action: AfterFetch): Promise<void>;
  close(): Promise<void>;
}

/** `signal`: the run's deadline; waits the server asks for (throttling back-offs) never outlast it. */
export type ConnectContext = { steps: StepRecorder; transcript?: TranscriptRecorder; signal?: AbortSignal };

export interface IncomingSource {
  readonly settings: SourceSettings;
  connect(ctx: ConnectContext): Promise<IncomingSession>;
}
