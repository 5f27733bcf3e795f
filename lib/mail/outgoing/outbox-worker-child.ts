// A separate sending process for the crash test: runs the outbox worker on the database named by the
// environment until it is killed. Prints "ready" once the worker has started.
import { startOutboxWorker } from "@/lib/mail/outgoing";

const worker = startOutboxWorker({ pollMs: 200, leaseMs: Number(process.argv[2] ?? 1500) });
process.stdout.write(`ready ${worker.owner}\n`);
process.on("SIGTERM", () => void worker.stop().then(() => process.exit(0)));
