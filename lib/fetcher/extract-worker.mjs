// An extraction worker thread: answers the pool's jobs one at a time (see extract-pool.ts). Loaded by path,
// never through the bundler, so Next's server and plain Node processes run the same file.
import { parentPort } from "node:worker_threads";
import { handleJob } from "./extract-parse.mjs";

parentPort.on("message", async (job) => {
  parentPort.postMessage({ id: job.id, ...(await handleJob(job)) });
});
// Sent once the worker's code has loaded (mailparser follows on first need): a worker that dies before this could
// not start, which no mail is to blame for.
parentPort.postMessage({ ready: true });
