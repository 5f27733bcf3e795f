// installShutdown in a process of its own, for shutdown.test.ts: a stop task that takes 500 ms; REPEAT_FORCES=0
// makes a second signal count as the same stop.
import { installShutdown } from "../../lib/cli/shutdown";

const shutdown = installShutdown({ graceMs: 5000, repeatForces: process.env.REPEAT_FORCES !== "0" });
shutdown.onStop(() => new Promise((resolve) => setTimeout(resolve, 500)));
setInterval(() => undefined, 1000);
console.log("ready");
