// Whether a message was already in the folder when a cursor was taken (the "now" of a first connection): what
// an import since a date lists from before then is imported mail, never acknowledged.
import { knownKey } from "./graph-source";
import type { SourceCursor } from "./source";

const sets = new WeakMap<object, Set<string>>();

function setOf(cursor: object, values: string[]): Set<string> {
  let set = sets.get(cursor);
  if (!set) sets.set(cursor, (set = new Set(values)));
  return set;
}

/** undefined: the cursor cannot tell (an EWS sync state names no items; its baseline lists them). */
export function cursorCovers(cursor: SourceCursor, listing: SourceCursor, id: string): boolean | undefined {
  switch (cursor.protocol) {
    case "imap":
      return listing.protocol === "imap" && cursor.uidValidity === listing.uidValidity && Number(id) <= cursor.lastUid;
    case "pop3":
      return setOf(cursor, cursor.seenUidls).has(id);
    case "graph":
      return cursor.known ? setOf(cursor, cursor.known).has(knownKey(id)) : undefined;
    case "ews":
      return cursor.known ? setOf(cursor, cursor.known).has(knownKey(id)) : undefined;
  }
}
