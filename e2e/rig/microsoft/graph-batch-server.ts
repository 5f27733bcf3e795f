// Graph's JSON batching (POST /v1.0/$batch) in the double: at most 20 requests, each answered as if sent alone
// and with its own status and headers, in reverse order (Graph documents that the answers may come in any
// order); a body that is not JSON (the MIME of a $value request) comes base64-encoded in the JSON, as Graph
// sends it. While the control endpoint throttles a mailbox, its requests in a batch get 429 with Retry-After.
import type http from "node:http";
import { Readable } from "node:stream";
import { graphAnswer, graphErrorAnswer, GraphError, type GraphAnswer, type GraphOptions } from "./graph-server";
import { readBody } from "./http-util";

const MAX_REQUESTS = 20;

type BatchRequest = { id?: unknown; method?: unknown; url?: unknown; headers?: unknown; body?: unknown };
type BatchResponse = { id: string; status: number; headers: Record<string, string>; body?: unknown };

function toBatchResponse(id: string, answer: GraphAnswer): BatchResponse {
  if (answer.raw) {
    return {
      id,
      status: answer.status,
      headers: { ...answer.headers, "Content-Type": answer.raw.contentType },
      body: answer.raw.data.toString("base64"),
    };
  }
  const headers = { ...answer.headers, ...(answer.body === undefined ? {} : { "Content-Type": "application/json" }) };
  return answer.body === undefined
    ? { id, status: answer.status, headers }
    : { id, status: answer.status, headers, body: answer.body };
}

function mailboxOf(url: string): string | null {
  const match = /^\/users\/([^/?]+)/.exec(url);
  return match
    ? decodeURIComponent(match[1])
        .replace(/^'(.*)'$/, "$1")
        .toLowerCase()
    : null;
}

async function answerOne(
  outer: http.IncomingMessage,
  request: BatchRequest,
  opts: GraphOptions,
): Promise<BatchResponse> {
  const id = String(request.id ?? "");
  if (!id || typeof request.method !== "string" || typeof request.url !== "string") {
    return toBatchResponse(id, graphErrorAnswer(new GraphError(400, "BadRequest", "Invalid request in the batch.")));
  }
  const url = request.url.startsWith("/") ? request.url : `/${request.url}`;
  const mailbox = mailboxOf(url);
  if (mailbox && opts.throttled?.(mailbox)) {
    return toBatchResponse(
      id,
      graphErrorAnswer(
        new GraphError(429, "TooManyRequests", "Application is over its MailboxConcurrency limit.", {
          "Retry-After": "1",
        }),
      ),
    );
  }
  const headers = Object.fromEntries(
    Object.entries((request.headers as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const body = request.body === undefined ? [] : [Buffer.from(JSON.stringify(request.body))];
  const inner = Object.assign(Readable.from(body), {
    method: request.method.toUpperCase(),
    url: `/v1.0${url}`,
    headers: { ...headers, authorization: outer.headers.authorization },
  });
  return toBatchResponse(id, await graphAnswer(inner as unknown as http.IncomingMessage, opts));
}

export async function handleBatch(req: http.IncomingMessage, opts: GraphOptions): Promise<GraphAnswer> {
  if (req.method !== "POST")
    return graphErrorAnswer(new GraphError(405, "BadRequest", "The $batch segment accepts only POST."));
  let requests: BatchRequest[];
  try {
    const parsed = JSON.parse((await readBody(req)).toString("utf8")) as { requests?: unknown };
    if (!Array.isArray(parsed.requests)) throw new Error("no requests");
    requests = parsed.requests as BatchRequest[];
  } catch {
    return graphErrorAnswer(new GraphError(400, "BadRequest", "Invalid batch payload format."));
  }
  if (requests.length > MAX_REQUESTS) {
    return graphErrorAnswer(
      new GraphError(400, "BadRequest", `Number of batch request steps exceeds the maximum of ${MAX_REQUESTS}.`),
    );
  }
  const responses: BatchResponse[] = [];
  for (const request of requests) responses.push(await answerOne(req, request, opts));
  return { status: 200, headers: {}, body: { responses: responses.reverse() } };
}
