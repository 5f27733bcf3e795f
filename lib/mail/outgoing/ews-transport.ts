// EWS CreateItem with MessageDisposition="SendAndSaveCopy": the MIME is sent and a copy saved in the mailbox's
// Sent Items. X-AnchorMailbox routes the request to the mailbox; an app-only token acts through
// ExchangeImpersonation, a delegated one names the (shared) mailbox in the saved-item folder.
import { escapeXml, ewsEnvelope, ewsError, HttpError } from "@/lib/mail/incoming";
import { MailStepError } from "@/lib/mail/steps";
import { withBearerClient, type BearerClient } from "./bearer-client";
import type {
  ComposedMessage,
  OutgoingAuth,
  OutgoingSettings,
  OutgoingTransport,
  SendOutcome,
  TransportContext,
} from "./transport";

export class EwsTransport implements OutgoingTransport {
  constructor(
    private readonly settings: OutgoingSettings,
    private readonly auth: OutgoingAuth,
  ) {}

  get server(): string {
    return this.settings.connectUrl ? new URL(this.settings.connectUrl).host : "";
  }

  private sentItems(): string {
    const mailbox = this.settings.impersonate
      ? ""
      : `<t:Mailbox><t:EmailAddress>${escapeXml(this.settings.mailbox)}</t:EmailAddress></t:Mailbox>`;
    return `<t:DistinguishedFolderId Id="sentitems">${mailbox}</t:DistinguishedFolderId>`;
  }

  private async call(client: BearerClient, body: string, ctx: TransportContext): Promise<string> {
    const response = await client.request(this.settings.connectUrl!, {
      method: "POST",
      headers: {
        "content-type": "text/xml; charset=utf-8",
        accept: "text/xml",
        "x-anchormailbox": this.settings.mailbox,
      },
      body: ewsEnvelope(body, { impersonate: this.settings.impersonate ? this.settings.mailbox : undefined }),
    });
    if (response.status === 401) {
      response.body.resume();
      throw new HttpError(
        "EWS refused the access token",
        401,
        `HTTP 401 ${String(response.headers["x-ms-diagnostics"] ?? "")}`.trim(),
      );
    }
    const text = await client.text(response);
    const error = ewsError(text);
    if (error || response.status >= 400) {
      ctx.transcript?.server(text.slice(0, 2000));
      throw new HttpError(
        `EWS: ${error?.code ?? `HTTP ${response.status}`}`,
        response.status,
        error ? `${error.code}: ${error.text}` : `HTTP ${response.status}`,
      );
    }
    return text;
  }

  private ready(ctx: TransportContext): void {
    if (!this.settings.connectUrl)
      throw ctx.steps.fail("connect", new MailStepError("connect", "Enter the EWS Connect URL.", undefined, null));
  }

  async verify(ctx: TransportContext): Promise<void> {
    this.ready(ctx);
    await withBearerClient(this.settings, this.auth, ctx, "EWS", (client) =>
      ctx.steps.run(
        "authenticate",
        () =>
          this.call(
            client,
            `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>${this.sentItems()}</m:FolderIds></m:GetFolder>`,
            ctx,
          ),
        () =>
          `EWS accepted the token for ${this.settings.mailbox}${this.settings.impersonate ? " (impersonation)" : ""}`,
      ),
    );
  }

  async send(message: ComposedMessage, ctx: TransportContext): Promise<SendOutcome> {
    this.ready(ctx);
    const request =
      `<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId>${this.sentItems()}</m:SavedItemFolderId>` +
      `<m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">${message.raw.toString("base64")}</t:MimeContent></t:Message></m:Items></m:CreateItem>`;
    return withBearerClient(this.settings, this.auth, ctx, "EWS", (client) =>
      ctx.steps.run(
        "send",
        async () => {
          await ctx.onSubmit?.();
          await this.call(client, request, ctx);
          return {
            server: this.server,
            queueId: null,
            response: "CreateItem NoError (sent, copy saved in Sent Items)",
          };
        },
        (outcome) => outcome.response,
      ),
    );
  }
}
