// Wakes the outbox worker of this process when a message is queued, so it goes out at once rather than at the
// next poll. Other processes find it at their next poll.
import { EventEmitter } from "node:events";

const signal = new EventEmitter();
signal.setMaxListeners(50);

export function wakeOutbox(): void {
  signal.emit("wake");
}

export function onOutboxWake(listener: () => void): () => void {
  signal.on("wake", listener);
  return () => signal.off("wake", listener);
}
