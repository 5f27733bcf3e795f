// POP3 / POPS as an incoming source. POP3 has one folder (the INBOX), no flags and no folders to move to, so
// the after-fetch action is "leave" or "delete"; progress is the set of UIDLs already fetched.
import type { Readable } from "node:stream";
import { UserFacingError } from "@/lib/errors";
import { Pop3Client } from "./pop3-client";
import { OneByOneSession } from "./batch-fallback";
import { receivedAt } from "./received-date";
import type {
  AfterFetch,
  BatchMessage,
  FetchBatchOptions,
  ConnectContext,
  IncomingSession,
  IncomingSource,
  ListNewResult,
  ListedMessage,
  SourceAuth,
  SourceCursor,
  SourceSettings,
} from "./source";
import { MailStepError, type StepRecorder } from "./steps";

export class Pop3Source implements IncomingSource {
  constructor(
    readonly settings: SourceSettings,
    private readonly auth: SourceAuth,
  ) {}

  async connect(ctx: ConnectContext): Promise<IncomingSession> {
    const { settings, auth } = this;
    let client: Pop3Client;
    try {
      client = await Pop3Client.connect({
        host: settings.host,
        port: settings.port,
        ca: settings.ca,
        proxy: settings.proxy,
        timeoutMs: settings.timeoutMs,
        security: settings.protocol === "pops" ? "tls" : settings.startTls ? "starttls" : "none",
        steps: ctx.steps,
        transcript: ctx.transcript,
      });
    } catch (error) {
      throw ctx.steps.fail("connect", error);
    }
    try {
      if (auth.type === "password") {
        ctx.transcript?.addSecret(auth.password);
        await ctx.steps.run(
          "authenticate",
          () => client.loginWithPassword(auth.user, auth.password),
          () => `password login as ${auth.user}`,
        );
      } else {
        const token = await ctx.steps.run(
          "token",
          () => auth.getToken(),
          () => "access token ready",
        );
        ctx.transcript?.addSecret(token.accessToken);
        await ctx.steps.run(
          "authenticate",
          () => client.loginWithToken(auth.user, token.accessToken, { host: settings.host, port: settings.port }),
          () => `OAuth (XOAUTH2) as ${auth.user}`,
        );
      }
    } catch (error) {
      client.destroy();
      throw error;
    }
    return new Pop3Session(client, ctx.steps);
  }
}

class Pop3Session extends OneByOneSession implements IncomingSession {
  private numbers = new Map<string, number>();
  private sizes = new Map<number, number>();

  constructor(
    private readonly client: Pop3Client,
    private readonly steps: StepRecorder,
  ) {
    super();
  }

  private readOnly = false;

  async openFolder(name: string, opts: { readOnly?: boolean } = {}): Promise<void> {
    this.readOnly = opts.readOnly ?? false;
    if (name.toUpperCase() !== "INBOX") {
      throw this.steps.fail(
        "open folder",
        new MailStepError(
          "open folder",
          `POP3 serves only the INBOX, not "${name}". Use IMAP to fetch from another folder.`,
          undefined,
          null,
        ),
      );
    }
    await this.steps.run(
      "open folder",
      () => this.refresh(),
      (count) => `INBOX, ${count} message(s)`,
    );
  }

  private async refresh(): Promise<number> {
    const [uidls, sizes] = [await this.client.uidl(), await this.client.list()];
    this.numbers = new Map(uidls.map((entry) => [entry.value, entry.n]));
    this.sizes = new Map(sizes.map((entry) => [entry.n, Number(entry.value)]));
    return uidls.length;
  }

  private listed(uidl: string): ListedMessage {
    const size = this.sizes.get(this.numbers.get(uidl) ?? -1);
    return size === undefined ? { id: uidl } : { id: uidl, size };
  }

  async listNew(cursor: SourceCursor | null): Promise<ListNewResult> {
    return this.steps.run(
      "list",
      async () => {
        await this.refresh();
        const seen = new Set(cursor?.protocol === "pop3" ? cursor.seenUidls : []);
        const all = [...this.numbers.entries()].sort((a, b) => a[1] - b[1]).map(([uidl]) => uidl);
        return {
          messages: all.filter((uidl) => !seen.has(uidl)).map((uidl) => this.listed(uidl)),
          // UIDLs of messages gone from the server are dropped, so the set stays as large as the maildrop.
          nextCursor: { protocol: "pop3", seenUidls: all },
        };
      },
      (result) => `${result.messages.length} new message(s)`,
    );
  }

  /**
   * "Since a date": POP3 has no date search, so each message's header is read with TOP n 0 (which changes no
   * flag) and a message older than the date by its newest Received: line (else its Date:) counts as already
   * seen. A message without a readable date is imported. A server without TOP imports everything: reading a
   * header with RETR would mark the message read.
   */
  async baseline(opts: { since?: Date } = {}): Promise<SourceCursor | null> {
    if (!opts.since) return super.baseline();
    const since = opts.since.getTime();
    return this.steps.run(
      "list",
      async () => {
        await this.refresh();
        if (!(await this.client.offersTop())) return null;
        const uidlOf = new Map([...this.numbers.entries()].map(([uidl, n]) => [n, uidl]));
        const older: string[] = [];
        // Pipelined where the server offers PIPELINING: one round trip per window of headers, not per message.
        await this.client.topMany(
          [...uidlOf.keys()].sort((a, b) => a - b),
          0,
          (n, head) => {
            const at = receivedAt(head);
            if (at !== null && at.getTime() < since) older.push(uidlOf.get(n)!);
          },
        );
        return { protocol: "pop3", seenUidls: older } satisfies SourceCursor;
      },
      (cursor) =>
        cursor
          ? `${cursor.seenUidls.length} message(s) received before ${opts.since!.toISOString().slice(0, 10)} (by header)`
          : "no TOP: every message is imported",
    );
  }

  async oldest(): Promise<ListedMessage | null> {
    if (this.numbers.size === 0) await this.refresh();
    const first = [...this.numbers.entries()].sort((a, b) => a[1] - b[1])[0];
    return first ? this.listed(first[0]) : null;
  }

  private numberOf(id: string): number {
    const n = this.numbers.get(id);
    if (n === undefined)
      throw new MailStepError("fetch", `message ${id} is no longer in the maildrop`, undefined, null);
    return n;
  }

  /**
   * TOP with the whole message where the server offers it: RETR marks the message read on servers such as
   * Dovecot. Without TOP a read-only session (the sample fetch) refuses rather than change the mailbox.
   */
  async fetchRaw(id: string): Promise<Readable> {
    const n = this.numberOf(id);
    if (await this.client.offersTop()) {
      return this.steps.run(
        "fetch",
        () => this.client.topWhole(n),
        () => `TOP message ${id} (the whole message; its flags stay as they are)`,
      );
    }
    if (this.readOnly) {
      throw this.steps.fail(
        "fetch",
        new MailStepError(
          "fetch",
          "This POP3 server does not offer TOP (its CAPA reply does not list it), and reading a message with RETR marks it as read on the server. So the sample fetch did not read a message: the mailbox is unchanged. Connecting, signing in and listing worked.",
          "CAPA without TOP",
          {
            code: "pop.no_top",
            title: "The server cannot show a message without marking it read",
            action:
              "Nothing to fix for fetching: the fetcher reads with RETR. To preview mail without changing it, use IMAP if the server offers it.",
          },
        ),
      );
    }
    return this.steps.run(
      "fetch",
      () => this.client.retr(n),
      () => `RETR message ${id}`,
    );
  }

  /** RETR pipelined where the server offers PIPELINING (one round trip per window of messages). */
  async fetchBatch(
    messages: ListedMessage[],
    onMessage: (message: BatchMessage) => Promise<void> | void,
    opts: FetchBatchOptions = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const idOf = new Map(messages.map((m) => [this.numberOf(m.id), m.id]));
    await this.steps.run(
      "fetch",
      () =>
        this.client.retrMany(
          [...idOf.keys()],
          async (n, raw) => {
            opts.signal?.throwIfAborted();
            await onMessage({ id: idOf.get(n)!, raw });
          },
          { maxBytes: opts.maxBytes },
        ),
      () => `RETR of ${messages.length} message(s)`,
    );
  }

  async applyAfterFetch(id: string, action: AfterFetch): Promise<void> {
    if (action.action === "leave") return;
    if (action.action !== "delete") {
      throw new UserFacingError(
        `POP3 cannot ${action.action === "move" ? "move messages to a folder" : "mark messages as read"}; choose "leave" or "delete".`,
        {
          field: "afterFetch",
        },
      );
    }
    // Marked now, removed by the server when the session ends with QUIT.
    await this.steps.run(
      "after fetch",
      () => this.client.dele(this.numberOf(id)),
      () => `DELE ${id}`,
    );
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => undefined);
  }
}
