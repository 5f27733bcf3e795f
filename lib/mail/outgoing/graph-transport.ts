// Microsoft Graph sendMail with the message as base64 MIME: POST /users/{mailbox}/sendMail. For a shared
// mailbox the URL names the shared mailbox, so the copy lands in its own Sent Items (not the signed-in user's).
import { DEFAULT_GRAPH_BASE, graphError } from "@/lib/mail/incoming";
import { withBearerClient } from "./bearer-client";
import type {
  ComposedMessage,
  OutgoingAuth,
  OutgoingSettings,
  OutgoingTransport,
  SendOutcome,
  TransportContext,
} from "./transport";

export class GraphTransport implements OutgoingTransport {
  private readonly base: string;

  constructor(
    private readonly settings: OutgoingSettings,
    private readonly auth: OutgoingAuth,
  ) {
    this.base = (settings.connectUrl || DEFAULT_GRAPH_BASE).replace(/\/+$/, "");
  }

  get server(): string {
    return new URL(this.base).host;
  }

  private get userPath(): string {
    return `${this.base}/users/${encodeURIComponent(this.settings.mailbox)}`;
  }

  async verify(ctx: TransportContext): Promise<void> {
    await withBearerClient(this.settings, this.auth, ctx, "Microsoft Graph", (client) =>
      ctx.steps.run(
        "authenticate",
        async () => {
          const response = await client.request(`${this.userPath}/mailFolders/sentitems?$select=id`, {
            headers: { accept: "application/json" },
          });
          // 403: the token is valid, but may not read the mailbox — an app with only Mail.Send. Sending does not
          // need reading, so the check passes; Send test mail proves the sending permission itself.
          if (response.status === 403) {
            response.body.resume();
            return "the token was accepted; it may not read the mailbox (enough for Mail.Send): Send test mail proves it may send";
          }
          if (response.status >= 400) throw await graphError(response, ctx.transcript);
          response.body.resume();
          return "";
        },
        (note) => `Graph accepted the token for ${this.settings.mailbox}${note ? `: ${note}` : ""}`,
      ),
    );
  }

  async send(message: ComposedMessage, ctx: TransportContext): Promise<SendOutcome> {
    return withBearerClient(this.settings, this.auth, ctx, "Microsoft Graph", (client) =>
      ctx.steps.run(
        "send",
        async () => {
          await ctx.onSubmit?.();
          const response = await client.request(`${this.userPath}/sendMail`, {
            method: "POST",
            headers: { "content-type": "text/plain", accept: "application/json" },
            body: message.raw.toString("base64"),
          });
          if (response.status >= 400) throw await graphError(response, ctx.transcript);
          response.body.resume();
          const requestId =
            String(response.headers["request-id"] ?? response.headers["client-request-id"] ?? "") || null;
          return {
            server: this.server,
            queueId: requestId,
            response: `HTTP ${response.status} Accepted${requestId ? ` (request-id ${requestId})` : ""}`,
          };
        },
        (outcome) => outcome.response,
      ),
    );
  }
}
