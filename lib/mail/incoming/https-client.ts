// HTTPS for the Graph and EWS adapters: one keep-alive agent per session trusting the extra CA, responses as
// streams (a message's MIME is never buffered whole), and the first connection's resolve / connect / TLS
// timed as steps. Every connection (next links included) passes the outbound policy.
import https from "node:https";
import type http from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Duplex, Readable } from "node:stream";
import type { TranscriptRecorder } from "@/lib/mail/transcript";
import { GuardedHttpsAgent } from "@/lib/net";
import { connectViaProxy, startTls, trustedCas } from "./net-connect";
import { MailStepError, type StepRecorder } from "./steps";

export type HttpResponse = { status: number; headers: IncomingHttpHeaders; body: Readable };

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** the service's answer (error JSON / SOAP fault / diagnostics header), for the raw reply */
    readonly response: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export class HttpsClient {
  private readonly agent: https.Agent;
  private firstConnection = true;

  constructor(
    private readonly opts: {
      ca?: string;
      proxy?: string;
      timeoutMs?: number;
      steps: StepRecorder;
      transcript?: TranscriptRecorder;
    },
  ) {
    const agentOptions = {
      keepAlive: true,
      maxSockets: 2,
      ca: trustedCas(opts.ca),
      rejectUnauthorized: true,
      minVersion: "TLSv1.2" as const,
    };
    this.agent = opts.proxy
      ? new ProxyTunnelAgent(agentOptions, opts.proxy, opts)
      : new GuardedHttpsAgent(agentOptions);
  }

  request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<HttpResponse> {
    const target = new URL(url);
    if (target.protocol !== "https:")
      return Promise.reject(new Error(`only https:// URLs are allowed, not ${target.protocol}`));
    const method = init.method ?? "GET";
    this.opts.transcript?.client(`${method} ${target.pathname}${target.search}`);
    if (init.body) this.opts.transcript?.client(init.body);
    const watchConnection = this.firstConnection;
    this.firstConnection = false;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const marks: { lookup?: number; connect?: number; tls?: number } = {};
      const request = https.request(
        target,
        {
          method,
          agent: this.agent,
          headers: {
            ...(init.headers ?? {}),
            ...(init.body ? { "content-length": String(Buffer.byteLength(init.body)) } : {}),
          },
          timeout: this.opts.timeoutMs ?? 30_000,
        },
        (response) => {
          this.opts.transcript?.server(`HTTP ${response.statusCode} ${response.statusMessage ?? ""}`.trim());
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response });
        },
      );
      // Through a proxy the tunnel agent times its own steps.
      if (watchConnection && !this.opts.proxy) {
        request.once("socket", (socket: TLSSocket) => {
          socket.once("lookup", (error, address) => {
            marks.lookup = performance.now();
            if (!error)
              this.opts.steps.record("resolve", true, marks.lookup - started, `${target.hostname} → ${address}`);
          });
          socket.once("connect", () => {
            marks.connect = performance.now();
            if (marks.lookup === undefined)
              this.opts.steps.record("resolve", true, 0, `${target.hostname} is an IP address`);
            this.opts.steps.record(
              "connect",
              true,
              marks.connect - (marks.lookup ?? started),
              `${target.hostname}:${target.port || 443}`,
            );
          });
          socket.once("secureConnect", () => {
            marks.tls = performance.now();
            this.opts.steps.record(
              "tls",
              true,
              marks.tls - (marks.connect ?? started),
              `${socket.getProtocol?.() ?? "TLS"}, certificate verified`,
            );
            this.opts.transcript?.note(`TLS established with ${target.host}`);
          });
        });
      }
      request.on("timeout", () =>
        request.destroy(Object.assign(new Error(`no answer from ${target.host} in time`), { code: "ETIMEDOUT" })),
      );
      request.on("error", (error) => {
        if (watchConnection && error instanceof MailStepError) reject(error);
        else if (watchConnection) {
          const step =
            marks.connect === undefined
              ? marks.lookup === undefined &&
                /ENOTFOUND|EAI_AGAIN|ETIMEOUT|EOUTBOUNDREFUSED/.test(String((error as { code?: string }).code))
                ? "resolve"
                : "connect"
              : "tls";
          reject(this.opts.steps.fail(step, error, performance.now() - started));
        } else reject(error);
      });
      request.end(init.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** HTTPS through an HTTP CONNECT proxy: a tunnel per connection, then TLS to the server inside it. */
class ProxyTunnelAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly proxy: string,
    private readonly ctx: { ca?: string; timeoutMs?: number; steps: StepRecorder },
  ) {
    super(options);
  }

  override createConnection(
    options: http.RequestOptions,
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    const endpoint = {
      host: String(options.host ?? ""),
      port: Number(options.port ?? 443),
      ca: this.ctx.ca,
      timeoutMs: this.ctx.timeoutMs,
      proxy: this.proxy,
    };
    void connectViaProxy(this.ctx.steps, endpoint)
      .then((socket) => startTls(this.ctx.steps, endpoint, socket))
      .then(
        (secure) => callback?.(null, secure),
        (error: Error) => callback?.(error, undefined as never),
      );
    return undefined;
  }
}

export async function readText(body: Readable, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk as Buffer);
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw new Error(`the answer is larger than ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
