// Graph batching without the network: answers matched by id whatever their order, throttled requests sent
// again alone, and a batch answer too large to hold read message by message.
import { describe, expect, it } from "vitest";
import { ItemErrors } from "./batch-fallback";
import {
  BatchAnswerTooLargeError,
  fetchGraphBatch,
  type GraphBatchRequest,
  type GraphBatchTransport,
} from "./graph-batch";
import type { ListedMessage } from "./source";
import { StepRecorder } from "./steps";

const messages: ListedMessage[] = [{ id: "a" }, { id: "b" }, { id: "c" }];
const mime = (id: string) => Buffer.from(`Subject: ${id}\r\n\r\nbody\r\n`).toString("base64");

function transport(answer: (requests: GraphBatchRequest[], round: number) => unknown[]): {
  transport: GraphBatchTransport;
  sent: string[][];
  singles: string[];
} {
  const sent: string[][] = [];
  const singles: string[] = [];
  return {
    sent,
    singles,
    transport: {
      post: async (requests) => {
        sent.push(requests.map((r) => r.url));
        return answer(requests, sent.length) as never;
      },
      single: async (id) => {
        singles.push(id);
        return Buffer.from(`Subject: ${id}\r\n\r\n`);
      },
      mimeUrl: (id) => `/users/x/messages/${id}/$value`,
    },
  };
}

async function run(t: GraphBatchTransport) {
  const got: string[] = [];
  const failed: string[] = [];
  const errors = new ItemErrors(new StepRecorder(), { onItemError: (id) => failed.push(id) });
  await fetchGraphBatch(
    t,
    messages,
    (m) => void got.push(`${m.id}:${/Subject: (\w+)/.exec(m.raw.toString())?.[1]}`),
    errors,
  );
  return { got, failed };
}

describe("Graph batch", () => {
  it("hands messages over in listing order whatever order the answers come in; a refused one fails alone", async () => {
    const t = transport((requests) =>
      requests
        .map((r, i) =>
          i === 1
            ? { id: r.id, status: 404, body: { error: { code: "ErrorItemNotFound", message: "gone" } } }
            : { id: r.id, status: 200, body: mime(messages[i].id) },
        )
        .reverse(),
    );
    expect(await run(t.transport)).toEqual({ got: ["a:a", "c:c"], failed: ["b"] });
    expect(t.sent).toHaveLength(1);
  });

  it("sends only the throttled requests again", async () => {
    const t = transport((requests, round) =>
      requests.map((r, i) =>
        round === 1 && i === 0
          ? { id: r.id, status: 429, headers: { "Retry-After": "0" }, body: { error: { code: "TooManyRequests" } } }
          : { id: r.id, status: 200, body: mime(r.url.split("/")[4]) },
      ),
    );
    expect(await run(t.transport)).toEqual({ got: ["a:a", "b:b", "c:c"], failed: [] });
    expect(t.sent.map((urls) => urls.length)).toEqual([3, 1]);
  });

  it("reads the messages one by one when the batch answer is too large to hold", async () => {
    const t = transport(() => {
      throw new BatchAnswerTooLargeError("the answer is larger than 64 MiB");
    });
    expect(await run(t.transport)).toEqual({ got: ["a:a", "b:b", "c:c"], failed: [] });
    expect(t.singles).toEqual(["a", "b", "c"]);
  });
});
