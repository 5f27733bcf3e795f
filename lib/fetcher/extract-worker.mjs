// An extraction worker thread: answers the pool's jobs one after another, in the order they came (see
// extract-pool.ts, which hands a worker some jobs ahead and counts on that order). Loaded by path, never through
// the bundler, so Next's server and plain Node processes run the same file.
import { parentPort } from "node:worker_threads";
import { handleJob } from "./extract-parse.mjs";

let turn = Promise.resolve();
parentPort.on("message", (job) => {
  turn = turn.then(async () => parentPort.postMessage({ id: job.id, ...(await handleJob(job)) }));
});
// Sent once the worker's code has loaded (mailparser follows on first need): a worker that dies before this could
// not start, which no mail is to blame for.
parentPort.postMessage({ ready: true });
