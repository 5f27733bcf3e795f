// Exchange Web Services as an incoming source (SOAP over HTTPS): SyncFolderItems for progress (the sync state is
// the cursor; an import since a date drops older items by DateTimeReceived), GetItem with MimeContent streamed
// or for many ItemIds at once, UpdateItem / MoveItem / DeleteItem after fetching.
// X-AnchorMailbox routes every request to the mailbox; an app-only token acts through ExchangeImpersonation.
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { UserFacingError } from "@/lib/errors";
import { ItemErrors, MessageTooLargeError, readBounded } from "./batch-fallback";
import { ewsChunks, parseGetMimes } from "./ews-batch";
import { EwsMimeExtractor } from "./ews-mime-stream";
import {
  elementAttrs,
  elementTexts,
  envelope,
  ewsError,
  requests,
  serverBusyBackOff,
  type FolderRef,
} from "./ews-soap";
import { BearerHttpSession } from "./bearer-http-session";
import { knownKey } from "./graph-source";
import { HttpError, readText, type HttpResponse } from "./https-client";
import type {
  AfterFetch,
  BatchMessage,
  ConnectContext,
  FetchBatchOptions,
  IncomingSession,
  IncomingSource,
  ListNewResult,
  ListedMessage,
  SourceAuth,
  SourceCursor,
  SourceSettings,
} from "./source";
import { MailStepError } from "./steps";

/** A GetItem answer holds its items' MIME base64-encoded; its requests are bounded to 8 MiB of listed bytes. */
const BATCH_ANSWER_LIMIT = 32 * 1024 * 1024;
/** A request EWS answers with ErrorServerBusy is sent at most this many times more. */
const BUSY_RETRIES = 3;
/** Back-offs above this are cut to it: a run's deadline is minutes, and Exchange may ask for five. */
const MAX_BACK_OFF_MS = 30_000;

const DISTINGUISHED = new Set([
  "inbox",
  "deleteditems",
  "drafts",
  "junkemail",
  "sentitems",
  "outbox",
  "archive",
  "msgfolderroot",
]);

export class EwsSource implements IncomingSource {
  constructor(
    readonly settings: SourceSettings,
    private readonly auth: SourceAuth,
  ) {}

  async connect(ctx: ConnectContext): Promise<IncomingSession> {
    if (this.auth.type !== "oauth") {
      throw ctx.steps.fail(
        "authenticate",
        new MailStepError(
          "authenticate",
          "EWS in Mailbridge uses OAuth only; choose Authentication Type OAuth.",
          undefined,
          null,
        ),
      );
    }
    if (!this.settings.connectUrl)
      throw ctx.steps.fail("connect", new MailStepError("connect", "Enter the EWS Connect URL.", undefined, null));
    const session = new EwsSession(this.settings, this.auth, ctx.steps, ctx.transcript, ctx.signal);
    await session.start();
    return session;
  }
}

class EwsSession extends BearerHttpSession implements IncomingSession {
  private folder: FolderRef | null = null;

  async start(): Promise<void> {
    await this.refreshToken(false);
    await this.steps.run(
      "authenticate",
      () => this.call(requests.getFolder(this.distinguished("inbox"))),
      () => `EWS accepted the token for ${this.settings.mailbox}${this.settings.impersonate ? " (impersonation)" : ""}`,
    );
  }

  private distinguished(name: string): FolderRef {
    // Delegated access to another mailbox names it in the folder id; impersonation makes it the default.
    return { distinguished: name, mailbox: this.settings.impersonate ? undefined : this.settings.mailbox };
  }

  /**
   * One SOAP request. Throttled (ErrorServerBusy, whose fault names BackOffMilliseconds), it is sent again
   * after that back-off (capped), a bounded number of times and never past the run's signal.
   */
  private async post(body: string): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.postOnce(body);
      if (response.status < 500) return response;
      // Read whole to see whether it is throttling (a fault is small), and handed on as it came otherwise.
      const text = await readText(response.body, BATCH_ANSWER_LIMIT);
      const backOff = serverBusyBackOff(text);
      if (backOff === null || attempt >= BUSY_RETRIES)
        return { ...response, body: Readable.from([Buffer.from(text, "utf8")]) };
      await this.backOff(backOff);
    }
  }

  private async backOff(ms: number): Promise<void> {
    const wait = Math.min(ms, MAX_BACK_OFF_MS);
    this.transcript?.note(`EWS is busy (ErrorServerBusy, back off ${ms} ms): trying again in ${wait} ms`);
    await sleep(wait, undefined, { signal: this.signal }).catch((error: unknown) => {
      this.signal?.throwIfAborted();
      throw error;
    });
  }

  private async postOnce(body: string, retry = true): Promise<HttpResponse> {
    const xml = envelope(body, { impersonate: this.settings.impersonate ? this.settings.mailbox : undefined });
    const response = await this.http.request(this.settings.connectUrl!, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.token}`,
        "content-type": "text/xml; charset=utf-8",
        accept: "text/xml",
        "x-anchormailbox": this.settings.mailbox,
      },
      body: xml,
    });
    if (response.status === 401 && retry) {
      response.body.resume();
      this.transcript?.note("EWS refused the token: trying once more with a fresh token");
      await this.refreshToken(true);
      return this.postOnce(body, false);
    }
    if (response.status === 401) {
      response.body.resume();
      const diagnostics = String(response.headers["x-ms-diagnostics"] ?? "");
      throw new HttpError("EWS refused the access token", 401, `HTTP 401 ${diagnostics}`.trim());
    }
    return response;
  }

  /** A SOAP call whose answer is small; throws on an HTTP error, a SOAP fault or an error response. */
  private async call(body: string): Promise<string> {
    let response = await this.post(body);
    let text = await readText(response.body);
    // Throttling may also come as the error of a response message (HTTP 200).
    for (let attempt = 0; response.status < 500 && attempt < BUSY_RETRIES; attempt++) {
      const backOff = serverBusyBackOff(text);
      if (backOff === null) break;
      await this.backOff(backOff);
      response = await this.post(body);
      text = await readText(response.body);
    }
    const error = ewsError(text);
    if (error || response.status >= 400) {
      this.transcript?.server(text.slice(0, 2000));
      const detail = error ? `${error.code}: ${error.text}` : `HTTP ${response.status}`;
      throw new HttpError(`EWS: ${error?.code ?? `HTTP ${response.status}`}`, response.status, detail);
    }
    return text;
  }

  private async resolveFolder(name: string): Promise<{ ref: FolderRef; total?: number }> {
    const lower = name.trim().toLowerCase();
    if (DISTINGUISHED.has(lower)) {
      const xml = await this.call(requests.getFolder(this.distinguished(lower)));
      return { ref: this.distinguished(lower), total: Number(elementTexts(xml, "TotalCount")[0]) };
    }
    const wanted = (name.split("/").at(-1) ?? name).trim();
    const xml = await this.call(requests.findFolder(this.distinguished("msgfolderroot"), wanted));
    // Compared here as well: not every server applies the DisplayName restriction.
    const match = elementTexts(xml, "Folder").find(
      (folder) => (elementTexts(folder, "DisplayName")[0] ?? "").toLowerCase() === wanted.toLowerCase(),
    );
    const id = match ? elementAttrs(match, "FolderId", "Id")[0] : undefined;
    if (!match || !id)
      throw new MailStepError(
        "open folder",
        `There is no folder "${name}" in ${this.settings.mailbox}.`,
        `ErrorFolderNotFound: ${name}`,
        undefined,
      );
    return { ref: { id }, total: Number(elementTexts(match, "TotalCount")[0]) };
  }

  async openFolder(name: string): Promise<void> {
    const folder = await this.steps.run(
      "open folder",
      () => this.resolveFolder(name),
      (f) => `${name}: ${Number.isFinite(f.total) ? `${f.total} message(s)` : "opened"}`,
    );
    this.folder = folder.ref;
  }

  private openFolderRef(): FolderRef {
    if (!this.folder) throw new MailStepError("open folder", "no folder is open", undefined, null);
    return this.folder;
  }

  async listNew(cursor: SourceCursor | null): Promise<ListNewResult> {
    return this.steps.run(
      "list",
      async () => {
        const previous = cursor?.protocol === "ews" ? cursor : null;
        let state = previous?.syncState || null;
        // SyncFolderItems has no date restriction: an import since a date drops older items from the listing.
        const since = previous?.since ? Date.parse(previous.since) : null;
        const messages: ListedMessage[] = [];
        for (;;) {
          let xml: string;
          try {
            xml = await this.call(requests.syncFolderItems(this.openFolderRef(), state));
          } catch (error) {
            if (state && error instanceof HttpError && /ErrorInvalidSyncStateData/.test(error.response)) {
              this.transcript?.note("EWS no longer accepts the sync state: starting a full sync");
              state = null;
              messages.length = 0;
              continue;
            }
            throw error;
          }
          for (const create of elementTexts(xml, "Create")) {
            const id = elementAttrs(create, "ItemId", "Id")[0];
            const size = Number(elementTexts(create, "Size")[0]);
            const received = Date.parse(elementTexts(create, "DateTimeReceived")[0] ?? "");
            if (since !== null && received < since) continue;
            if (id) messages.push(Number.isFinite(size) ? { id, size } : { id });
          }
          state = elementTexts(xml, "SyncState")[0] ?? state;
          if (elementTexts(xml, "IncludesLastItemInRange")[0] !== "false") break;
        }
        if (!state) throw new Error("EWS answered without a sync state");
        return {
          messages,
          nextCursor: { protocol: "ews", syncState: state, ...(previous?.since ? { since: previous.since } : {}) },
        };
      },
      (result) => `${result.messages.length} new message(s)`,
    );
  }

  /**
   * "Now": the sync state of a full listing, and which items it listed (a sync state does not say, and an
   * import since a date must tell them from later mail). "Since a date": a sync from the start that lists only
   * items received since then, now and later.
   */
  async baseline(opts: { since?: Date } = {}): Promise<SourceCursor | null> {
    if (!opts.since) {
      const now = await this.listNew(null);
      return { ...now.nextCursor, known: now.messages.map((m) => knownKey(m.id)) } as SourceCursor;
    }
    return { protocol: "ews", syncState: "", since: opts.since.toISOString() };
  }

  async oldest(): Promise<ListedMessage | null> {
    const xml = await this.call(requests.findOldest(this.openFolderRef()));
    const id = elementAttrs(xml, "ItemId", "Id")[0];
    return id ? { id } : null;
  }

  async fetchRaw(id: string): Promise<Readable> {
    return this.steps.run(
      "fetch",
      async () => {
        const response = await this.post(requests.getMime(id));
        if (response.status >= 400 && response.status !== 500) {
          const text = await readText(response.body);
          throw new HttpError(`EWS answered HTTP ${response.status}`, response.status, text.slice(0, 500));
        }
        this.transcript?.note("[MIME content streamed, not recorded]");
        return response.body.pipe(new EwsMimeExtractor());
      },
      () => `GetItem MimeContent ${id.slice(0, 16)}…`,
    );
  }

  /** Many messages' MIME per GetItem; an item EWS answers with an error fails alone (a failed "fetch" step). */
  async fetchBatch(
    messages: ListedMessage[],
    onMessage: (message: BatchMessage) => Promise<void> | void,
    opts: FetchBatchOptions = {},
  ): Promise<void> {
    const errors = new ItemErrors(this.steps, opts);
    for (const chunk of ewsChunks(messages)) {
      opts.signal?.throwIfAborted();
      for (const message of chunk.messages) {
        if (opts.maxBytes !== undefined && (message.size ?? 0) > opts.maxBytes)
          throw new MessageTooLargeError(message.id, opts.maxBytes);
      }
      if (chunk.alone) {
        const { id } = chunk.messages[0];
        await onMessage({ id, raw: await readBounded(await this.fetchRaw(id), id, opts.maxBytes) });
        continue;
      }
      const ids = chunk.messages.map((m) => m.id);
      const results = await this.steps.run(
        "fetch",
        () => this.getMimes(ids),
        (found) => `GetItem MimeContent of ${found.filter(Buffer.isBuffer).length} of ${ids.length} message(s)`,
      );
      for (const [index, result] of results.entries()) {
        opts.signal?.throwIfAborted();
        const id = ids[index];
        if (!Buffer.isBuffer(result)) errors.add(id, result);
        else if (opts.maxBytes !== undefined && result.length > opts.maxBytes)
          errors.add(id, new MessageTooLargeError(id, opts.maxBytes));
        else await onMessage({ id, raw: result });
      }
    }
    errors.throwIfAny();
  }

  private async getMimes(ids: string[]): Promise<(Buffer | Error)[]> {
    const response = await this.post(requests.getMimes(ids));
    this.transcript?.note("[MIME content of the items, not recorded]");
    const text = await readText(response.body, BATCH_ANSWER_LIMIT);
    const fault = elementTexts(text, "faultstring")[0];
    if (fault !== undefined || (response.status >= 400 && !/GetItemResponseMessage/.test(text))) {
      this.transcript?.server(text.slice(0, 2000));
      const code = elementTexts(text, "ResponseCode")[0] ?? `HTTP ${response.status}`;
      throw new HttpError(`EWS: ${code}`, response.status, `${code}: ${fault ?? ""}`.trim());
    }
    return parseGetMimes(text, ids);
  }

  async applyAfterFetch(id: string, action: AfterFetch): Promise<void> {
    if (action.action === "leave") return;
    await this.steps.run(
      "after fetch",
      async () => {
        if (action.action === "mark_read") await this.call(requests.markRead(id));
        else if (action.action === "move") {
          if (!action.moveToFolder)
            throw new UserFacingError("Choose the folder to move fetched mail to.", { field: "moveToFolder" });
          const target = await this.resolveFolder(action.moveToFolder);
          await this.call(requests.move(id, target.ref));
        } else await this.call(requests.delete(id));
      },
      () => action.action.replace("_", " "),
    );
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
