// Graph JSON batching and EWS GetItem with many ItemIds against the rig's doubles: one request for many
// messages, answers out of order, a message that is gone fails alone, and a throttled request is retried
// (Graph: 429 with Retry-After; EWS: ErrorServerBusy with BackOffMilliseconds).
import { afterEach, describe, expect, it } from "vitest";
import { makeEwsBusy, throttleGraphBatch } from "@/e2e/rig/microsoft/control";
import {
  deliverMails,
  microsoftSettings,
  oauthFromRig,
  SCOPES,
  testRig,
  uniqueName,
} from "@/e2e/support/mail-fixtures";
import { TranscriptRecorder } from "@/lib/mail/transcript";
import { EwsSource } from "./ews-source";
import { GraphSource } from "./graph-source";
import type { BatchMessage, IncomingSession } from "./source";
import { StepRecorder } from "./steps";

const rig = testRig();
const alice = rig.auth.users.alice.username;

type Kind = "graph" | "ews";

const sessions: IncomingSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function open(kind: Kind, folder: string, signal?: AbortSignal) {
  const settings = microsoftSettings(rig, kind, folder);
  const auth = oauthFromRig(rig, { tokenUser: "alice", scope: kind === "graph" ? SCOPES.graph : SCOPES.ews });
  const steps = new StepRecorder();
  const transcript = new TranscriptRecorder();
  const source = kind === "graph" ? new GraphSource(settings, auth) : new EwsSource(settings, auth);
  const session = await source.connect({ steps, transcript, signal });
  sessions.push(session);
  await session.openFolder(folder);
  return { session, steps, transcript };
}

const subjectOf = (message: BatchMessage) => /^Subject: (.*)$/m.exec(message.raw.toString("utf8"))?.[1].trim();

describe.each(["graph", "ews"] as const)("%s batch", (kind) => {
  it("reads many messages in one request, in listing order; a message gone in between fails alone", async () => {
    const folder = uniqueName(`${kind}-batch`);
    const subjects = ["b1", "b2", "b3", "b4", "b5"];
    await deliverMails(rig, alice, folder, subjects);
    const { session, steps, transcript } = await open(kind, folder);
    const listed = (await session.listNew(null)).messages;
    expect(listed).toHaveLength(5);
    const gone = listed[2].id;
    await session.applyAfterFetch(gone, { action: "delete" });
    const before = transcript.text().length;

    const got: BatchMessage[] = [];
    const failed: { id: string; error: Error }[] = [];
    await session.fetchBatch(listed, (message) => void got.push(message), {
      onItemError: (id, error) => failed.push({ id, error }),
    });
    expect(got.map((m) => m.id)).toEqual(listed.filter((m) => m.id !== gone).map((m) => m.id));
    expect(got.map(subjectOf).sort()).toEqual(["b1", "b2", "b4", "b5"]);
    expect(failed.map((f) => f.id)).toEqual([gone]);
    expect((failed[0].error as Error & { response?: string }).response).toMatch(/ErrorItemNotFound/);
    const sent = transcript.text().slice(before);
    expect(sent.match(kind === "graph" ? /POST \/v1\.0\/\$batch/g : /<m:GetItem>/g)).toHaveLength(1);
    expect(steps.steps.filter((s) => s.name === "fetch" && !s.ok)).toHaveLength(1);

    // Without a handler the batch still hands over the others, then fails with the refused message's error.
    const again: string[] = [];
    await expect(session.fetchBatch(listed, (m) => void again.push(m.id))).rejects.toThrow(
      kind === "graph" ? /HTTP 404/ : /ErrorItemNotFound/,
    );
    expect(again).toHaveLength(4);
  });
});

describe("graph batch throttling", () => {
  it("sends throttled requests again after their Retry-After, only those", async () => {
    const folder = uniqueName("graph-throttle");
    await deliverMails(rig, alice, folder, ["t1", "t2", "t3"]);
    const { session, transcript } = await open("graph", folder);
    const listed = (await session.listNew(null)).messages;
    await throttleGraphBatch(rig, alice, 2);
    const before = transcript.text().length;
    const got: BatchMessage[] = [];
    await session.fetchBatch(listed, (message) => void got.push(message));
    expect(got.map(subjectOf)).toEqual(["t1", "t2", "t3"]);
    const posts = transcript
      .text()
      .slice(before)
      .match(/POST \/v1\.0\/\$batch/g);
    expect(posts).toHaveLength(2);
  });

  it("a request throttled past its retries fails alone with the 429", async () => {
    const folder = uniqueName("graph-throttled");
    await deliverMails(rig, alice, folder, ["only"]);
    const { session } = await open("graph", folder);
    const listed = (await session.listNew(null)).messages;
    await throttleGraphBatch(rig, alice, 10);
    const failed: Error[] = [];
    try {
      await session.fetchBatch(listed, () => undefined, { onItemError: (_id, error) => failed.push(error) });
    } finally {
      await throttleGraphBatch(rig, alice, 0);
    }
    expect(failed.map((e) => (e as Error & { status?: number }).status)).toEqual([429]);
  });
});

describe("ews throttling", () => {
  it("sends a request EWS answered with ErrorServerBusy again after the back-off it names", async () => {
    const folder = uniqueName("ews-busy");
    await deliverMails(rig, alice, folder, ["e1", "e2", "e3"]);
    const { session, transcript } = await open("ews", folder);
    await makeEwsBusy(rig, alice, 1, 200);
    const listed = (await session.listNew(null)).messages;
    expect(listed).toHaveLength(3);
    await makeEwsBusy(rig, alice, 2, 200);
    const before = transcript.text().length;
    const got: BatchMessage[] = [];
    await session.fetchBatch(listed, (message) => void got.push(message));
    expect(got.map(subjectOf)).toEqual(["e1", "e2", "e3"]);
    const sent = transcript.text().slice(before);
    expect(sent.match(/<m:GetItem>/g)).toHaveLength(3);
    expect(sent.match(/ErrorServerBusy, back off 200 ms/g)).toHaveLength(2);
  });

  it("busy past its retries, the batch fails with ErrorServerBusy; a long back-off never outlasts the run", async () => {
    const folder = uniqueName("ews-busy-long");
    await deliverMails(rig, alice, folder, ["only"]);
    const stop = new AbortController();
    const { session } = await open("ews", folder, stop.signal);
    const listed = (await session.listNew(null)).messages;
    try {
      await makeEwsBusy(rig, alice, 10, 1);
      await expect(session.fetchBatch(listed, () => undefined)).rejects.toThrow(/ErrorServerBusy/);
      // Exchange may ask for minutes: the wait ends with the run's signal.
      await makeEwsBusy(rig, alice, 1, 10 * 60_000);
      setTimeout(() => stop.abort(new Error("the run's deadline")), 300);
      await expect(session.fetchBatch(listed, () => undefined)).rejects.toThrow("the run's deadline");
    } finally {
      await makeEwsBusy(rig, alice, 0, 0);
    }
  });
});
