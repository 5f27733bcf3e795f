// What the Graph and EWS sessions share: one HTTPS client per session and the bearer token they send,
// renewed through the OAuth concern (and registered with the transcript so it is redacted).
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { OneByOneSession } from "./batch-fallback";
import { HttpsClient } from "./https-client";
import type { SourceAuth, SourceSettings } from "./source";
import type { StepRecorder } from "./steps";

export abstract class BearerHttpSession extends OneByOneSession {
  protected readonly http: HttpsClient;
  protected token = "";

  constructor(
    protected readonly settings: SourceSettings,
    protected readonly auth: Extract<SourceAuth, { type: "oauth" }>,
    protected readonly steps: StepRecorder,
    protected readonly transcript?: TranscriptRecorder,
    protected readonly signal?: AbortSignal,
  ) {
    super();
    this.http = new HttpsClient({
      ca: settings.ca,
      proxy: settings.proxy,
      timeoutMs: settings.timeoutMs,
      steps,
      transcript,
    });
  }

  protected async refreshToken(forceRefresh: boolean): Promise<void> {
    const token = await this.steps.run(
      "token",
      () => this.auth.getToken({ forceRefresh }),
      () => (forceRefresh ? "fresh access token" : "access token ready"),
    );
    this.token = token.accessToken;
    this.transcript?.addSecret(token.accessToken);
  }
}
