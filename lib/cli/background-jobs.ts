import "server-only";
// The loops the console process runs next to serving pages; each is self-contained and stops on shutdown.
// With several web processes only the one started without WEB_ONLY_FLAG runs them (lib/cluster/process-role.ts).
import { runsBackgroundJobs } from "@/lib/cluster";
import { startEmbeddedFetcher, stopEmbeddedFetcher } from "@/lib/fetcher";
import { startOutboxWorker } from "@/lib/mail/outgoing";
// In the server bundle, not the start command: the purge's modules are server-only.
import { startPurge } from "@/lib/maintenance";

let started = false;

export function startBackgroundJobs(): void {
  if (started || !runsBackgroundJobs()) return;
  started = true;
  startEmbeddedFetcher();
  const outbox = startOutboxWorker();
  const purge = startPurge();
  const stop = () => {
    void purge.stop();
    void outbox.stop();
    void stopEmbeddedFetcher();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
