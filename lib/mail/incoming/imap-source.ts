// IMAP / IMAPS as an incoming source, on imapflow: XOAUTH2/OAUTHBEARER or password, STARTTLS (required) or
// implicit TLS, shared mailboxes (login user = the mailbox, token of a delegate). Exchange Online drops a
// session when its token expires (`* BYE Session invalidated - AccessTokenExpired`), so the session renews
// itself with a fresh token shortly before expiry, and reconnects once if the server dropped it anyway.
import type { Readable } from "node:stream";
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import net from "node:net";
import { UserFacingError } from "@/lib/errors";
import { assertLineSafe, checkLiteralTarget, guardedLookup } from "@/lib/net";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { resolveHost, trustedContext } from "./net-connect";
import { MessageTooLargeError } from "./batch-fallback";
import { uidFetchBodies, type FetchedBody } from "./imap-bulk-fetch";
import { uidSet } from "./uid-set";
import type {
  AfterFetch,
  BatchMessage,
  ConnectContext,
  FetchBatchOptions,
  IncomingSession,
  IncomingSource,
  ListedMessage,
  ListNewResult,
  SourceAuth,
  SourceCursor,
  SourceSettings,
} from "./source";
import { MailStepError, type StepName, type StepRecorder } from "./steps";

const DEFAULT_RENEW_MARGIN_MS = 60_000;
/** Messages up to this size are listed with it as their bound; larger ones with their exact size. */
const LISTED_SIZE_FLOOR = 128 * 1024;

type LogEntry = { src?: string; msg?: string; [key: string]: unknown };

export class ImapSource implements IncomingSource {
  constructor(
    readonly settings: SourceSettings,
    private readonly auth: SourceAuth,
  ) {}

  async connect(ctx: ConnectContext): Promise<IncomingSession> {
    const session = new ImapSession(this.settings, this.auth, ctx.steps, ctx.transcript);
    await session.start();
    return session;
  }
}

/** Connection phases seen in imapflow's log, to time and name the steps it runs inside connect(). */
type Phases = {
  started: number;
  greeting?: number;
  tls?: number;
  authStart?: number;
  authenticated?: number;
  lastServerLine?: string;
};

class ImapSession implements IncomingSession {
  private client: ImapFlow | null = null;
  private tokenExpiresAt: Date | null = null;
  private folder: { name: string; readOnly: boolean } | null = null;
  private phases: Phases = { started: 0 };
  /** how many times the session connected (1 + reconnects) */
  connects = 0;

  constructor(
    private readonly settings: SourceSettings,
    private readonly auth: SourceAuth,
    private readonly steps: StepRecorder,
    private readonly transcript?: TranscriptRecorder,
  ) {}

  /** the host imapflow connects to: the canonical address of a numeric host, else the checked name */
  private connectHost = "";

  async start(): Promise<void> {
    const { host, port, proxy } = this.settings;
    if (proxy) {
      // The proxy resolves names; only an IP literal can be judged (and is) before handing it on.
      this.connectHost = await this.steps.run(
        "resolve",
        async () => checkLiteralTarget(host, port, { field: "host" }),
        () => `${host} is resolved by the proxy`,
      );
    } else {
      this.connectHost = (await resolveHost(this.steps, host, port)).host;
    }
    await this.open(false);
  }

  /** Values written into IMAP commands: refused with CR/LF/NUL whatever validated them before. */
  private lineSafe(value: string, what: string, step: StepName): void {
    try {
      assertLineSafe(value, what);
    } catch (error) {
      throw this.steps.fail(step, error);
    }
  }

  private logger() {
    const take = (entry: LogEntry) => {
      if (entry.src === "s" && typeof entry.msg === "string") {
        this.phases.greeting ??= performance.now();
        this.phases.lastServerLine = entry.msg;
        this.transcript?.server(entry.msg);
      } else if (entry.src === "c" && typeof entry.msg === "string") {
        if (/^\S+ (AUTHENTICATE|LOGIN)\b/i.test(entry.msg)) this.phases.authStart ??= performance.now();
        this.transcript?.client(entry.msg, { sensitive: entry.msg === "(* value hidden *)" });
      } else if (entry.msg === "Established TLS session") {
        this.phases.tls = performance.now();
        this.transcript?.note(`TLS established (${String(entry.version ?? "")}, ${String(entry.algo ?? "")})`);
      } else if (entry.msg === "User authenticated") {
        this.phases.authenticated = performance.now();
      }
    };
    // imapflow logs the server's FETCH data lines at trace (literals already shortened to a size marker);
    // the transcript bounds each line and the whole.
    const serverData = (entry: LogEntry) => {
      if (entry.src === "s") take(entry);
    };
    // Without a transcript, no trace method: imapflow then skips re-serializing every FETCH response.
    return { debug: take, info: take, warn: take, error: take, ...(this.transcript ? { trace: serverData } : {}) };
  }

  private async credentials(forceRefresh: boolean): Promise<ImapFlowOptions["auth"]> {
    this.lineSafe(this.auth.user, "The user name", "authenticate");
    if (this.auth.type === "password") {
      this.lineSafe(this.auth.password, "The password", "authenticate");
      this.transcript?.addSecret(this.auth.password);
      return { user: this.auth.user, pass: this.auth.password };
    }
    const auth = this.auth;
    const token = await this.steps.run(
      "token",
      () => auth.getToken({ forceRefresh }),
      () => (forceRefresh ? "fresh access token" : "access token ready"),
    );
    this.transcript?.addSecret(token.accessToken);
    this.transcript?.addSecret(
      Buffer.from(`user=${auth.user}\x01auth=Bearer ${token.accessToken}\x01\x01`).toString("base64"),
    );
    this.tokenExpiresAt = token.expiresAt ?? null;
    return { user: auth.user, accessToken: token.accessToken };
  }

  private async open(forceRefresh: boolean): Promise<void> {
    const { settings } = this;
    const auth = await this.credentials(forceRefresh);
    const implicitTls = settings.protocol === "imaps";
    const client = new ImapFlow({
      host: this.connectHost,
      port: settings.port,
      secure: implicitTls,
      doSTARTTLS: implicitTls ? undefined : settings.startTls,
      servername: net.isIP(this.connectHost) ? undefined : this.connectHost,
      // The lookup judges the addresses the socket really opens to (a second DNS answer may differ).
      tls: {
        secureContext: trustedContext(settings.ca),
        rejectUnauthorized: true,
        minVersion: "TLSv1.2",
        ...(settings.proxy ? {} : { lookup: guardedLookup(settings.port) }),
      },
      auth,
      logger: this.logger(),
      disableAutoIdle: true,
      connectionTimeout: settings.timeoutMs ?? 30_000,
      greetingTimeout: settings.timeoutMs ?? 16_000,
      socketTimeout: 5 * 60_000,
      proxy: settings.proxy,
      clientInfo: { name: "Mailbridge" },
    });
    // An unexpected close (BYE, network) surfaces on the next command; the error event must not crash us.
    client.on("error", (error: Error) => this.transcript?.note(`connection error: ${error.message}`));
    this.transcript?.note(
      `connecting to ${settings.host}:${settings.port} (${implicitTls ? "implicit TLS" : settings.startTls ? "STARTTLS" : "plain text"})`,
    );
    this.phases = { started: performance.now() };
    this.connects++;
    try {
      await client.connect();
    } catch (error) {
      client.close();
      const phase = this.failedPhase(error);
      this.recordPhasesBefore(phase, implicitTls);
      const since = phase === "authenticate" ? (this.phases.authStart ?? this.phases.started) : this.phases.started;
      throw this.steps.fail(phase, withServerReply(error, this.phases.lastServerLine), performance.now() - since);
    }
    this.client = client;
    this.recordConnectSteps(implicitTls, client);
  }

  private recordConnectSteps(implicitTls: boolean, client: ImapFlow): void {
    const p = this.phases;
    const now = performance.now();
    const greeting = p.greeting ?? now;
    const again = this.connects > 1 ? " (reconnect)" : "";
    this.steps.record(
      "connect",
      true,
      greeting - p.started,
      `${this.settings.host}:${this.settings.port}${implicitTls ? " with implicit TLS" : ""}${again}`,
    );
    if (implicitTls) this.steps.record("tls", true, 0, "implicit TLS, certificate verified");
    else if (p.tls) this.steps.record("tls", true, p.tls - greeting, "STARTTLS, certificate verified");
    const authStart = p.authStart ?? p.tls ?? greeting;
    const method = this.auth.type === "oauth" ? "OAuth" : "password";
    this.steps.record(
      "authenticate",
      true,
      (p.authenticated ?? now) - authStart,
      `${method} as ${client.options.auth?.user ?? this.auth.user}${again}`,
    );
  }

  /** The steps that went well before a failing one, so the list shows how far the connection got. */
  private recordPhasesBefore(failed: StepName, implicitTls: boolean): void {
    const p = this.phases;
    if (failed === "connect" || !p.greeting) return;
    this.steps.record("connect", true, p.greeting - p.started, `${this.settings.host}:${this.settings.port}`);
    if (failed === "tls") return;
    if (implicitTls) this.steps.record("tls", true, 0, "implicit TLS, certificate verified");
    else if (p.tls) this.steps.record("tls", true, p.tls - p.greeting, "STARTTLS, certificate verified");
  }

  /** Which step an error of imapflow's connect() belongs to. */
  private failedPhase(error: unknown): StepName {
    const e = error as { code?: string; authenticationFailed?: boolean; message?: string };
    if (e.authenticationFailed || this.phases.authStart) return "authenticate";
    const text = `${e.code ?? ""} ${e.message ?? ""}`;
    if (/CERT|SELF_SIGNED|certificate|TLS|SSL|EPROTO|ALTNAME|wrong version/i.test(text)) return "tls";
    if (this.phases.greeting && !this.phases.tls && this.settings.protocol === "imap" && this.settings.startTls)
      return "tls";
    if (this.phases.greeting) return "authenticate";
    return "connect";
  }

  private async renewIfExpiring(): Promise<void> {
    if (this.auth.type !== "oauth" || !this.tokenExpiresAt) return;
    const margin = this.settings.tokenRenewMarginMs ?? DEFAULT_RENEW_MARGIN_MS;
    if (this.tokenExpiresAt.getTime() - Date.now() > margin) return;
    this.transcript?.note("the access token expires soon: reconnecting with a fresh token");
    await this.reconnect(true);
  }

  private async reconnect(forceRefresh: boolean): Promise<void> {
    const old = this.client;
    this.client = null;
    if (old) await old.logout().catch(() => old.close());
    await this.open(forceRefresh);
    if (this.folder) await this.select(this.folder.name, this.folder.readOnly);
  }

  /** Runs a command; if the server dropped the session (token expiry BYE), reconnects once with a fresh token. */
  private async withClient<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    await this.renewIfExpiring();
    const client = this.requireClient();
    try {
      return await work(client);
    } catch (error) {
      if (!connectionGone(error, client)) throw error;
      const reason = (error as { reason?: string }).reason ?? "connection closed";
      this.transcript?.note(`the server ended the session (${reason}): reconnecting`);
      await this.reconnect(this.auth.type === "oauth");
      return work(this.requireClient());
    }
  }

  private requireClient(): ImapFlow {
    if (!this.client) throw new Error("IMAP session is closed");
    return this.client;
  }

  private async select(name: string, readOnly: boolean): Promise<void> {
    const client = this.requireClient();
    this.lineSafe(name, "The folder name", "open folder");
    await this.steps.run(
      "open folder",
      async () => {
        try {
          return await client.mailboxOpen(name, { readOnly });
        } catch (error) {
          throw withServerReply(error, this.phases.lastServerLine);
        }
      },
      (box) =>
        `${box.path}${readOnly ? " (read-only, EXAMINE)" : ""}: ${box.exists} message(s), UIDVALIDITY ${box.uidValidity}`,
    );
  }

  async openFolder(name: string, opts: { readOnly?: boolean } = {}): Promise<void> {
    await this.renewIfExpiring();
    this.folder = { name, readOnly: opts.readOnly ?? false };
    try {
      await this.select(name, this.folder.readOnly);
    } catch (error) {
      const client = this.client;
      if (!client || !connectionGone(error, client)) throw error;
      await this.reconnect(this.auth.type === "oauth");
    }
  }

  private mailbox() {
    const box = this.requireClient().mailbox;
    if (!box) throw new MailStepError("open folder", "no folder is open", undefined, null);
    return box;
  }

  async listNew(cursor: SourceCursor | null): Promise<ListNewResult> {
    return this.steps.run(
      "list",
      () =>
        this.withClient(async (client) => {
          // NOOP lets the server report mail that arrived since the folder was opened.
          await client.noop();
          const box = this.mailbox();
          const uidValidity = box.uidValidity.toString();
          const after = cursor?.protocol === "imap" && cursor.uidValidity === uidValidity ? cursor.lastUid : 0;
          const messages: ListedMessage[] = [];
          if (box.exists > 0) {
            // One SEARCH line lists the UIDs (a FETCH of every size costs about half a fetch of the mail itself);
            // only messages LARGER than the floor have their sizes fetched. "n:*" always matches the newest
            // message, even below n: filter again.
            const range = `${after + 1}:*`;
            const uids = ((await client.search({ uid: range }, { uid: true })) || []).filter((uid) => uid > after);
            const large = new Map<number, number>();
            const largeUids = (
              (await client.search({ uid: range, larger: LISTED_SIZE_FLOOR }, { uid: true })) || []
            ).filter((uid) => uid > after);
            if (largeUids.length > 0) {
              for (const message of await client.fetchAll(uidSet(largeUids), { uid: true, size: true }, { uid: true }))
                large.set(message.uid, message.size ?? LISTED_SIZE_FLOOR);
            }
            for (const uid of uids)
              messages.push(
                large.has(uid)
                  ? { id: String(uid), size: large.get(uid) }
                  : { id: String(uid), sizeAtMost: LISTED_SIZE_FLOOR },
              );
          }
          messages.sort((a, b) => Number(a.id) - Number(b.id));
          const lastUid = messages.length > 0 ? Number(messages[messages.length - 1].id) : after;
          return { messages, nextCursor: { protocol: "imap", uidValidity, lastUid } };
        }),
      (result) => `${result.messages.length} new message(s)`,
    );
  }

  async oldest(): Promise<ListedMessage | null> {
    return this.withClient(async (client) => {
      if (this.mailbox().exists === 0) return null;
      const first = await client.fetchOne("1", { uid: true, size: true });
      return first ? { id: String(first.uid), size: first.size } : null;
    });
  }

  async fetchRaw(id: string, opts: { maxBytes?: number } = {}): Promise<Readable> {
    return this.steps.run(
      "fetch",
      () =>
        this.withClient(async (client) => {
          // download() reads with BODY.PEEK[], so fetching never sets \Seen.
          const { content } = await client.download(id, undefined, {
            uid: true,
            ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}),
          });
          if (!content) throw new MailStepError("fetch", `message UID ${id} is gone`, undefined, null);
          return content;
        }),
      () => `UID ${id}`,
    );
  }

  async applyAfterFetch(id: string, action: AfterFetch): Promise<void> {
    if (action.action === "leave") return;
    if (this.folder?.readOnly) throw new Error("the folder is open read-only");
    await this.steps.run(
      "after fetch",
      () =>
        this.withClient(async (client) => {
          if (action.action === "mark_read") {
            await client.messageFlagsAdd(id, ["\\Seen"], { uid: true });
          } else if (action.action === "move") {
            if (!action.moveToFolder)
              throw new UserFacingError("Choose the folder to move fetched mail to.", { field: "moveToFolder" });
            assertLineSafe(action.moveToFolder, "The folder to move to");
            const moved = await client.messageMove(id, action.moveToFolder, { uid: true });
            if (!moved) throw new Error(`the server did not move UID ${id} to ${action.moveToFolder}`);
          } else {
            const deleted = await client.messageDelete(id, { uid: true });
            if (!deleted) throw new Error(`the server did not delete UID ${id}`);
          }
        }),
      () =>
        `${action.action.replace("_", " ")} UID ${id}${action.action === "move" ? ` → ${action.moveToFolder}` : ""}`,
    );
  }

  async fetchBatch(
    messages: ListedMessage[],
    onMessage: (message: BatchMessage) => Promise<void> | void,
    opts: FetchBatchOptions = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const tooLarge = messages.find((m) => opts.maxBytes !== undefined && (m.size ?? 0) > opts.maxBytes);
    if (tooLarge) throw new MessageTooLargeError(tooLarge.id, opts.maxBytes ?? 0);
    const wanted = new Set(messages.map((m) => Number(m.id)));
    const got = new Map<number, Buffer>();
    let tooLargeUid: number | null = null;
    const take = ({ uid, raw }: FetchedBody) => {
      if (!wanted.has(uid)) return;
      if (opts.maxBytes !== undefined && raw.length > opts.maxBytes) tooLargeUid ??= uid;
      else got.set(uid, raw);
    };
    const serverLine = this.transcript ? (line: string) => this.transcript?.server(line) : undefined;
    await this.steps.run(
      "fetch",
      () =>
        this.withClient(async (client) => {
          got.clear();
          tooLargeUid = null;
          // One UID FETCH (UID BODY.PEEK[]) for the whole batch; no other command may run while it streams, so the
          // messages are collected and handed out after it ends (the batch is bounded by count and size).
          try {
            await uidFetchBodies(client, uidSet([...wanted]), take, serverLine);
          } catch (error) {
            // A throttled server (Exchange): imapflow's own FETCH waits and retries as the server asks.
            if ((error as { code?: string }).code !== "ETHROTTLE") throw error;
            for await (const message of client.fetch(uidSet([...wanted]), { uid: true, source: true }, { uid: true }))
              if (message.source) take({ uid: message.uid, raw: message.source });
          }
          if (tooLargeUid !== null) throw new MessageTooLargeError(String(tooLargeUid), opts.maxBytes ?? 0);
        }),
      () => `${got.size} message(s) in one UID FETCH`,
    );
    for (const message of messages) {
      opts.signal?.throwIfAborted();
      const raw = got.get(Number(message.id));
      // A message expunged between listing and fetching is simply gone; the caller's cursor moves past it.
      if (raw) await onMessage({ id: message.id, raw });
    }
  }

  async baseline(opts: { since?: Date } = {}): Promise<SourceCursor> {
    return this.withClient(async (client) => {
      await client.noop();
      const box = this.mailbox();
      const uidValidity = box.uidValidity.toString();
      const now = Math.max(0, Number(box.uidNext) - 1);
      if (!opts.since) return { protocol: "imap", uidValidity, lastUid: now };
      const found = (await client.search({ since: opts.since }, { uid: true })) || [];
      const first = Math.min(...found, now + 1);
      return { protocol: "imap", uidValidity, lastUid: first - 1 };
    });
  }

  async applyAfterFetchBatch(ids: string[], action: AfterFetch): Promise<void> {
    if (action.action === "leave" || ids.length === 0) return;
    if (this.folder?.readOnly) throw new Error("the folder is open read-only");
    const set = uidSet(ids.map(Number));
    await this.steps.run(
      "after fetch",
      () =>
        this.withClient(async (client) => {
          if (action.action === "mark_read") {
            await client.messageFlagsAdd(set, ["\\Seen"], { uid: true });
          } else if (action.action === "move") {
            if (!action.moveToFolder)
              throw new UserFacingError("Choose the folder to move fetched mail to.", { field: "moveToFolder" });
            // UIDs already moved by an earlier, interrupted run are simply not there any more.
            await client.messageMove(set, action.moveToFolder, { uid: true });
          } else {
            await client.messageDelete(set, { uid: true });
          }
        }),
      () =>
        `${action.action.replace("_", " ")} ${ids.length} message(s)${action.action === "move" ? ` → ${action.moveToFolder}` : ""}`,
    );
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.logout().catch(() => client.close());
  }
}

function connectionGone(error: unknown, client: ImapFlow): boolean {
  return (error as { code?: string }).code === "NoConnection" || !client.usable;
}

/** imapflow keeps the server's words in `response`/`responseText`; fall back to the last line it logged. */
function withServerReply(error: unknown, lastServerLine: string | undefined): unknown {
  const e = error as { response?: unknown; responseText?: unknown; reason?: unknown };
  if (typeof e?.response === "string" || typeof e?.responseText === "string") return error;
  const reply = typeof e?.reason === "string" ? e.reason : lastServerLine;
  if (reply && error && typeof error === "object") Object.assign(error, { response: reply });
  return error;
}
