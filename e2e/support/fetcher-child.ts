// Runs the fetcher for one mailbox in its own process until one fetch succeeds (waiting out a lease a killed
// predecessor left behind), for the crash tests: MAILBRIDGE_TEST_CRASH_AT makes it die by SIGKILL mid-way.
import { closeFetcherResources, fetchMailbox } from "@/lib/fetcher";

async function main(mailboxId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const outcome = await fetchMailbox(mailboxId);
    if (outcome.status === "ok") {
      process.stdout.write(JSON.stringify(outcome.totals) + "\n");
      // Worker threads still inside SQLite when the process exits can turn exit code 0 into a signal.
      await closeFetcherResources();
      process.exit(0);
    }
    if (outcome.status !== "busy" || Date.now() > deadline) {
      console.error(JSON.stringify(outcome));
      await closeFetcherResources();
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

void main(process.argv[2]);
