// Messages between the console's web processes (lib/cli/web-processes.ts), relayed by the primary process:
// a change made in one process reaches the short-lived caches (session users, the outgoing banner) and the
// outbox worker of the others at once instead of when their entry expires or their next poll comes.
// Outside a cluster worker (one process, tests, CLIs) telling is a no-op.
import cluster, { type Worker } from "node:cluster";

export type PeerKind = "forget-session-user" | "forget-outgoing-banner" | "wake-outbox";
type PeerMessage = { mailbridgePeer: PeerKind; value: string };
type Handler = (value: string) => void;

// On globalThis: the bundler may load this module more than once in a process; all copies share one listener.
const shared = globalThis as unknown as { mailbridgePeerHandlers?: Map<PeerKind, Set<Handler>> };

function isPeerMessage(message: unknown): message is PeerMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    typeof (message as PeerMessage).mailbridgePeer === "string" &&
    typeof (message as PeerMessage).value === "string"
  );
}

function handlers(): Map<PeerKind, Set<Handler>> {
  if (!shared.mailbridgePeerHandlers) {
    const map = new Map<PeerKind, Set<Handler>>();
    shared.mailbridgePeerHandlers = map;
    if (cluster.isWorker)
      process.on("message", (message: unknown) => {
        if (isPeerMessage(message)) map.get(message.mailbridgePeer)?.forEach((handle) => handle(message.value));
      });
  }
  return shared.mailbridgePeerHandlers;
}

/** Runs `handle` when another process tells `kind` (never for this process's own telling). */
export function onPeerMessage(kind: PeerKind, handle: Handler): void {
  const map = handlers();
  let set = map.get(kind);
  if (!set) map.set(kind, (set = new Set()));
  set.add(handle);
}

/** Tells every other web process; nothing when this process is the only one. */
export function tellPeers(kind: PeerKind, value = ""): void {
  if (!cluster.isWorker || !process.send || !process.connected) return;
  const message: PeerMessage = { mailbridgePeer: kind, value };
  process.send(message);
}

/** In the primary process: passes each peer message on to every web process but its sender. */
export function relayPeerMessages(workers: () => Iterable<Worker>): void {
  cluster.on("message", (sender, message: unknown) => {
    if (!isPeerMessage(message)) return;
    for (const worker of workers()) if (worker !== sender && worker.isConnected()) worker.send(message);
  });
}

/** As if another web process had told `kind` (tests). */
export function deliverPeerMessageForTests(kind: PeerKind, value = ""): void {
  handlers()
    .get(kind)
    ?.forEach((handle) => handle(value));
}
