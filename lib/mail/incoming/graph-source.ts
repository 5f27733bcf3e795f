// Microsoft Graph as an incoming source: /users/{mailbox}/mailFolders/{folder}/messages, progress by delta
// links (filtered by receivedDateTime for an import since a date), raw MIME streamed from
// /messages/{id}/$value or many at once over JSON $batch, after-fetch by PATCH isRead / move / DELETE. One
// retry with a fresh token when Graph answers 401 mid-session.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { UserFacingError } from "@/lib/errors";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { ItemErrors, readBounded } from "./batch-fallback";
import { BearerHttpSession } from "./bearer-http-session";
import { BatchAnswerTooLargeError, fetchGraphBatch, type GraphBatchResponse } from "./graph-batch";
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
import { MailStepError, type StepRecorder } from "./steps";

export const DEFAULT_GRAPH_BASE = "https://graph.microsoft.com/v1.0";

/** Graph's well-known folder names; anything else is looked up by display name. */
const WELL_KNOWN = new Set([
  "inbox",
  "archive",
  "deleteditems",
  "drafts",
  "junkemail",
  "sentitems",
  "outbox",
  "clutter",
  "conversationhistory",
]);

/** A batch answer holds up to 20 messages' MIME, base64-encoded; the caller's batches are bounded well below. */
const BATCH_ANSWER_LIMIT = 64 * 1024 * 1024;

type GraphList = { value?: Record<string, unknown>[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string };

export class GraphSource implements IncomingSource {
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
          "Microsoft Graph accepts only OAuth; choose Authentication Type OAuth.",
          undefined,
          null,
        ),
      );
    }
    const session = new GraphSession(this.settings, this.auth, ctx.steps, ctx.transcript);
    await session.start();
    return session;
  }
}

class GraphSession extends BearerHttpSession implements IncomingSession {
  private readonly base: string;
  private folderId: string | null = null;

  constructor(
    settings: SourceSettings,
    auth: Extract<SourceAuth, { type: "oauth" }>,
    steps: StepRecorder,
    transcript?: TranscriptRecorder,
  ) {
    super(settings, auth, steps, transcript);
    this.base = (settings.connectUrl || DEFAULT_GRAPH_BASE).replace(/\/+$/, "");
  }

  private get userPath(): string {
    return `${this.base}/users/${encodeURIComponent(this.settings.mailbox)}`;
  }

  async start(): Promise<void> {
    await this.refreshToken(false);
    await this.steps.run(
      "authenticate",
      () => this.json(`${this.userPath}/mailFolders/inbox?$select=id,displayName`, {}, false),
      () => `Graph accepted the token for ${this.settings.mailbox}`,
    );
  }

  /** A request with the bearer token; a 401 is retried once with a fresh token. */
  private async send(url: string, init: { method?: string; body?: unknown } = {}, retry = true): Promise<HttpResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await this.http.request(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (response.status === 401 && retry) {
      response.body.resume();
      this.transcript?.note("Graph refused the token: trying once more with a fresh token");
      await this.refreshToken(true);
      return this.send(url, init, false);
    }
    if (response.status >= 400) throw await graphError(response, this.transcript);
    return response;
  }

  private async json<T = Record<string, unknown>>(
    url: string,
    init: { method?: string; body?: unknown } = {},
    retry = true,
  ): Promise<T> {
    const response = await this.send(url, init, retry);
    const text = await readText(response.body);
    return (text ? JSON.parse(text) : {}) as T;
  }

  private async resolveFolder(name: string): Promise<{ id: string; total?: number }> {
    const wanted = name.trim();
    if (WELL_KNOWN.has(wanted.toLowerCase())) {
      const folder = await this.json(
        `${this.userPath}/mailFolders/${wanted.toLowerCase()}?$select=id,displayName,totalItemCount`,
      );
      return { id: String(folder.id), total: Number(folder.totalItemCount) };
    }
    // A path such as "Inbox/Support": walk child folders from the top.
    let url = `${this.userPath}/mailFolders?$top=100&$select=id,displayName,totalItemCount`;
    let found: Record<string, unknown> | undefined;
    for (const [index, part] of wanted.split("/").entries()) {
      found = undefined;
      let next: string | undefined = url;
      while (next && !found) {
        const page: GraphList = await this.json<GraphList>(next);
        found = page.value?.find(
          (f) => String(f.displayName).toLowerCase() === part.toLowerCase() || (index === 0 && String(f.id) === part),
        );
        next = page["@odata.nextLink"];
      }
      if (!found)
        throw new MailStepError(
          "open folder",
          `There is no folder "${wanted}" in ${this.settings.mailbox}.`,
          `ErrorFolderNotFound: ${part}`,
          undefined,
        );
      url = `${this.userPath}/mailFolders/${encodeURIComponent(String(found.id))}/childFolders?$top=100&$select=id,displayName,totalItemCount`;
    }
    return { id: String(found!.id), total: Number(found!.totalItemCount) };
  }

  async openFolder(name: string): Promise<void> {
    const folder = await this.steps.run(
      "open folder",
      () => this.resolveFolder(name),
      (f) => `${name}: ${Number.isFinite(f.total) ? `${f.total} message(s)` : "opened"}`,
    );
    this.folderId = folder.id;
  }

  private folderPath(): string {
    if (!this.folderId) throw new MailStepError("open folder", "no folder is open", undefined, null);
    return `${this.userPath}/mailFolders/${encodeURIComponent(this.folderId)}`;
  }

  /**
   * Graph's delta items carry no "created" marker: a message whose isRead, flag or categories changed comes
   * back exactly like a new one. The delta is asked for created messages only (`changeType=created`, kept in
   * the delta link by Graph), and the cursor also remembers which messages were listed (a short hash of each
   * id), so that a full resync after an expired delta token, or a delta link stored before, lists none of
   * them again. `@removed` entries leave the set; a moved-in message has a new id.
   */
  async listNew(cursor: SourceCursor | null): Promise<ListNewResult> {
    return this.steps.run(
      "list",
      async () => {
        const previous = cursor?.protocol === "graph" ? cursor : null;
        const start = this.deltaStart(previous?.since);
        let url = previous?.deltaLink ?? start;
        const known = new Set(previous?.known ?? []);
        const found: { id: string; at: string; size: number | undefined }[] = [];
        for (;;) {
          let page: GraphList;
          try {
            page = await this.json<GraphList>(url);
          } catch (error) {
            // An expired or unusable delta token: start over; messages listed before stay known, so not new.
            if (error instanceof HttpError && error.status === 410 && url !== start) {
              this.transcript?.note("Graph no longer knows the delta token: starting a full sync");
              url = start;
              continue;
            }
            throw error;
          }
          for (const item of page.value ?? []) {
            const key = knownKey(String(item.id));
            if (item["@removed"]) {
              known.delete(key);
              continue;
            }
            if (known.has(key)) continue;
            known.add(key);
            found.push({ id: String(item.id), at: String(item.receivedDateTime ?? ""), size: messageSize(item) });
          }
          if (page["@odata.nextLink"]) url = page["@odata.nextLink"];
          else {
            if (!page["@odata.deltaLink"]) throw new Error("Graph answered without a deltaLink");
            found.sort((a, b) => a.at.localeCompare(b.at));
            return {
              messages: found.map(({ id, size }) => (size === undefined ? { id } : { id, size })),
              nextCursor: {
                protocol: "graph",
                deltaLink: page["@odata.deltaLink"],
                known: [...known],
                ...(previous?.since ? { since: previous.since } : {}),
              },
            };
          }
        }
      },
      (result) => `${result.messages.length} new message(s)`,
    );
  }

  /**
   * The first delta request; with `since`, only mail received since then (the one $filter delta allows).
   * Graph's message has no size property: the size comes as the expanded MAPI property PidTagMessageSize, so
   * a large message is streamed to storage rather than held whole. Graph keeps the options in its links.
   */
  private deltaStart(since?: string): string {
    const filter = since ? `&$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}` : "";
    const expand = `&$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${MESSAGE_SIZE}')`)}`;
    return `${this.folderPath()}/messages/delta?changeType=created&$select=id,receivedDateTime${expand}${filter}`;
  }

  /** "Since a date": a delta filtered by receivedDateTime, so older mail is neither listed now nor later. */
  async baseline(opts: { since?: Date } = {}): Promise<SourceCursor | null> {
    if (!opts.since) return super.baseline();
    const since = opts.since.toISOString().replace(/\.\d{3}Z$/, "Z");
    return { protocol: "graph", deltaLink: this.deltaStart(since), known: [], since };
  }

  async oldest(): Promise<ListedMessage | null> {
    const page = await this.json<GraphList>(
      `${this.folderPath()}/messages?$orderby=receivedDateTime asc&$top=1&$select=id`.replace(/ /g, "%20"),
    );
    const first = page.value?.[0];
    return first ? { id: String(first.id) } : null;
  }

  async fetchRaw(id: string): Promise<Readable> {
    return this.steps.run(
      "fetch",
      async () => {
        const response = await this.send(`${this.userPath}/messages/${encodeURIComponent(id)}/$value`);
        this.transcript?.note("[message body streamed, not recorded]");
        return response.body;
      },
      () => `MIME of message ${id.slice(0, 16)}…`,
    );
  }

  /** Many messages' MIME over JSON batching; a message Graph refuses fails alone (a failed "fetch" step). */
  async fetchBatch(
    messages: ListedMessage[],
    onMessage: (message: BatchMessage) => Promise<void> | void,
    opts: FetchBatchOptions = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const user = `/users/${encodeURIComponent(this.settings.mailbox)}`;
    const transport = {
      post: async (requests: unknown[]) => {
        const response = await this.send(`${this.base}/$batch`, { method: "POST", body: { requests } });
        this.transcript?.note("[batch answer with message bodies, not recorded]");
        const text = await readText(response.body, BATCH_ANSWER_LIMIT).catch((error: unknown) => {
          throw /is larger than/.test((error as Error).message)
            ? new BatchAnswerTooLargeError((error as Error).message)
            : error;
        });
        return ((JSON.parse(text) as { responses?: GraphBatchResponse[] }).responses ?? []) as GraphBatchResponse[];
      },
      single: async (id: string, maxBytes?: number) => readBounded(await this.fetchRaw(id), id, maxBytes),
      mimeUrl: (id: string) => `${user}/messages/${encodeURIComponent(id)}/$value`,
    };
    const errors = new ItemErrors(this.steps, opts);
    await this.steps.run(
      "fetch",
      () => fetchGraphBatch(transport, messages, onMessage, errors, opts),
      (read) => `$batch: ${read} message(s)${errors.failed ? `, ${errors.failed} failed` : ""}`,
    );
    errors.throwIfAny();
  }

  async applyAfterFetch(id: string, action: AfterFetch): Promise<void> {
    if (action.action === "leave") return;
    const message = `${this.userPath}/messages/${encodeURIComponent(id)}`;
    await this.steps.run(
      "after fetch",
      async () => {
        if (action.action === "mark_read") await this.json(message, { method: "PATCH", body: { isRead: true } });
        else if (action.action === "move") {
          if (!action.moveToFolder)
            throw new UserFacingError("Choose the folder to move fetched mail to.", { field: "moveToFolder" });
          const target = await this.resolveFolder(action.moveToFolder);
          await this.json(`${message}/move`, { method: "POST", body: { destinationId: target.id } });
        } else {
          // Graph's DELETE moves the message to Deleted Items, recoverable by the mailbox owner.
          (await this.send(message, { method: "DELETE" })).body.resume();
        }
      },
      () => `${action.action.replace("_", " ")}`,
    );
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

/** PidTagMessageSize as a Graph extended property id. */
const MESSAGE_SIZE = "Integer 0x0E08";

/** The message's size from its expanded PidTagMessageSize (Graph answers with the id as "Integer 0xe08"). */
function messageSize(item: Record<string, unknown>): number | undefined {
  const properties = item.singleValueExtendedProperties;
  if (!Array.isArray(properties)) return undefined;
  for (const property of properties as { id?: unknown; value?: unknown }[]) {
    const tag = /^integer\s+0x([0-9a-f]+)$/i.exec(String(property.id ?? "").trim());
    if (!tag || parseInt(tag[1], 16) !== 0x0e08) continue;
    const size = Number(property.value);
    return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
  }
  return undefined;
}

/** 12 characters per message (72 bits of SHA-256): the cursor stays small for large folders. */
export function knownKey(id: string): string {
  return createHash("sha256").update(id).digest().subarray(0, 9).toString("base64url");
}

export async function graphError(response: HttpResponse, transcript?: TranscriptRecorder): Promise<HttpError> {
  const text = await readText(response.body).catch(() => "");
  transcript?.server(text);
  let detail = text;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error) detail = `${body.error.code ?? ""}: ${body.error.message ?? ""}`;
  } catch {
    // not JSON: keep the text
  }
  return new HttpError(
    `Microsoft Graph answered HTTP ${response.status}`,
    response.status,
    `HTTP ${response.status} ${detail}`.trim(),
  );
}
