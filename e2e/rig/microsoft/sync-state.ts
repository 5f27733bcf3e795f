// Change tracking for Graph delta and EWS SyncFolderItems without server-side state: the state token carries
// the folder GUID and which UIDs the client has seen (and which of them as read), compressed. Each round
// reports messages the client has not seen (created), seen ones whose read flag changed (updated) and seen
// ones that are gone (deleted), and returns the state after delivering those changes.
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { MessageMeta } from "./mail-store";

export type SyncState = { folderGuid: string; seen: Set<number>; read: Set<number> };

export type Change =
  | { kind: "created"; message: MessageMeta }
  | { kind: "updated"; message: MessageMeta }
  | { kind: "deleted"; uid: number };

export function encodeSyncState(state: SyncState): string {
  const json = JSON.stringify({ f: state.folderGuid, s: ranges([...state.seen]), r: ranges([...state.read]) });
  return deflateRawSync(Buffer.from(json)).toString("base64url");
}

/** null for anything that is not a state this double issued */
export function decodeSyncState(token: string): SyncState | null {
  try {
    const json = JSON.parse(inflateRawSync(Buffer.from(token, "base64url")).toString("utf8")) as {
      f: string;
      s: string;
      r: string;
    };
    if (typeof json.f !== "string" || typeof json.s !== "string" || typeof json.r !== "string") return null;
    return { folderGuid: json.f, seen: new Set(expand(json.s)), read: new Set(expand(json.r)) };
  } catch {
    return null;
  }
}

const isRead = (message: MessageMeta) => message.flags.includes("\\Seen");

/**
 * The next at most `max` changes after `state` (null = first round) and the state once they are delivered;
 * null when the state belongs to an earlier incarnation of the folder (re-created, new GUID): the client must
 * start over, as Exchange answers a sync state it cannot use.
 */
export function nextChanges(
  folderGuid: string,
  messages: MessageMeta[],
  state: SyncState | null,
  max: number,
): { changes: Change[]; state: SyncState; more: boolean } | null {
  if (state && state.folderGuid !== folderGuid) return null;
  const seen = new Set(state?.seen ?? []);
  const read = new Set(state?.read ?? []);
  const current = new Set(messages.map((m) => m.uid));
  const all: Change[] = [];
  for (const message of messages) {
    if (!seen.has(message.uid)) all.push({ kind: "created", message });
    else if (read.has(message.uid) !== isRead(message)) all.push({ kind: "updated", message });
  }
  for (const uid of seen) if (!current.has(uid)) all.push({ kind: "deleted", uid });

  const changes = all.slice(0, max);
  for (const change of changes) {
    if (change.kind === "deleted") {
      seen.delete(change.uid);
      read.delete(change.uid);
    } else {
      seen.add(change.message.uid);
      if (isRead(change.message)) read.add(change.message.uid);
      else read.delete(change.message.uid);
    }
  }
  return { changes, state: { folderGuid, seen, read }, more: all.length > max };
}

function ranges(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

function expand(text: string): number[] {
  if (text === "") return [];
  return text.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    if (!Number.isInteger(from) || (to !== undefined && !Number.isInteger(to))) throw new Error("bad range");
    return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}
