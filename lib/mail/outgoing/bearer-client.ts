// What the Graph and EWS senders share: one HTTPS client per attempt, the bearer token from the token service
// (registered with the transcript so it is redacted), and one retry with a fresh token after a 401.
import { HttpsClient, readText, type HttpResponse } from "@/lib/mail/incoming";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import type { StepRecorder } from "@/lib/mail/steps";
import { MailStepError } from "@/lib/mail/steps";
import type { OutgoingAuth, OutgoingSettings, TransportContext } from "./transport";

export type OAuthOnly = Extract<OutgoingAuth, { type: "oauth" }>;

export class BearerClient {
  private readonly http: HttpsClient;
  private token = "";

  constructor(
    settings: OutgoingSettings,
    private readonly auth: OAuthOnly,
    private readonly steps: StepRecorder,
    private readonly transcript?: TranscriptRecorder,
  ) {
    this.http = new HttpsClient({
      ca: settings.ca,
      proxy: settings.proxy,
      timeoutMs: settings.timeoutMs,
      steps,
      transcript,
    });
  }

  async start(): Promise<void> {
    await this.renew(false);
  }

  private async renew(forceRefresh: boolean): Promise<void> {
    const token = await this.steps.run(
      "token",
      () => this.auth.getToken({ forceRefresh }),
      () => (forceRefresh ? "fresh access token" : "access token ready"),
    );
    this.token = token.accessToken;
    this.transcript?.addSecret(token.accessToken);
  }

  /** A request with the bearer token; a 401 is retried once with a fresh token and then returned as it is. */
  async request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
    retry = true,
  ): Promise<HttpResponse> {
    const response = await this.http.request(url, {
      ...init,
      headers: { ...(init.headers ?? {}), authorization: `Bearer ${this.token}` },
    });
    if (response.status === 401 && retry) {
      response.body.resume();
      this.transcript?.note("the service refused the token: trying once more with a fresh token");
      await this.renew(true);
      return this.request(url, init, false);
    }
    return response;
  }

  async text(response: HttpResponse): Promise<string> {
    return readText(response.body);
  }

  close(): void {
    this.http.close();
  }
}

/** Runs `work` with a started client (token ready) and closes it; Graph and EWS accept only OAuth. */
export async function withBearerClient<T>(
  settings: OutgoingSettings,
  auth: OutgoingAuth,
  ctx: TransportContext,
  service: string,
  work: (client: BearerClient) => Promise<T>,
): Promise<T> {
  if (auth.type !== "oauth") {
    throw ctx.steps.fail(
      "authenticate",
      new MailStepError(
        "authenticate",
        `${service} accepts only OAuth; choose Authentication Type OAuth.`,
        undefined,
        null,
      ),
    );
  }
  const client = new BearerClient(settings, auth, ctx.steps, ctx.transcript);
  try {
    await client.start();
    return await work(client);
  } finally {
    client.close();
  }
}
