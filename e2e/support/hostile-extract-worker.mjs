// An extraction worker double for the tests: a mail with "X-Test-Parser: spin" keeps the parser busy forever, one
// with "X-Test-Parser: crash" kills the worker thread, one with "X-Test-Parser: limits" is answered with the
// worker's resource limits as its text, one with "X-Test-Parser: loaded" with whether it has loaded mailparser,
// one with "X-Test-Parser: slow" is parsed after 50 ms; every other job runs
// through the real worker's code.
import { parentPort, resourceLimits } from "node:worker_threads";
import { fullParserLoaded, handleJob, jobRaw } from "../../lib/fetcher/extract-parse.mjs";

async function answer(job) {
  if (job.kind === "parse") {
    const raw = jobRaw(job);
    const head = Buffer.isBuffer(raw) ? raw.subarray(0, 8192).toString("latin1") : "";
    if (/^X-Test-Parser: spin/im.test(head)) for (;;);
    // The thread dies on this job, before it answers the ones behind it.
    if (/^X-Test-Parser: crash/im.test(head))
      await new Promise(() =>
        setImmediate(() => {
          throw new Error("the parser crashed on purpose");
        }),
      );
    if (/^X-Test-Parser: limits/im.test(head))
      return parentPort.postMessage({
        id: job.id,
        ok: true,
        text: new TextEncoder().encode(JSON.stringify(resourceLimits)),
        html: null,
        attachments: [],
      });
    if (/^X-Test-Parser: loaded/im.test(head))
      return parentPort.postMessage({
        id: job.id,
        ok: true,
        text: new TextEncoder().encode(JSON.stringify({ fullParser: fullParserLoaded() })),
        html: null,
        attachments: [],
      });
    if (/^X-Test-Parser: slow/im.test(head)) await new Promise((resolve) => setTimeout(resolve, 50));
    else if (/^X-Test-Parser: /im.test(head)) return;
  }
  parentPort.postMessage({ id: job.id, ...(await handleJob(job)) });
}

// In order, one after another, as the real worker answers.
let turn = Promise.resolve();
parentPort.on("message", (job) => {
  turn = turn.then(() => answer(job));
});
parentPort.postMessage({ ready: true });
