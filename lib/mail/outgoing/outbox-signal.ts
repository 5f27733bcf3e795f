// Wakes the outbox worker when a message is queued, so it goes out at once rather than at the next poll: the
// one of this process, or the one of the console's web process that runs the background jobs (lib/cluster).
// Other instances find it at their next poll.
import { EventEmitter } from "node:events";
import { onPeerMessage, tellPeers } from "@/lib/cluster";

const signal = new EventEmitter();
signal.setMaxListeners(50);

export function wakeOutbox(): void {
  signal.emit("wake");
  tellPeers("wake-outbox");
}

onPeerMessage("wake-outbox", () => signal.emit("wake"));

export function onOutboxWake(listener: () => void): () => void {
  signal.on("wake", listener);
  return () => signal.off("wake", listener);
}
