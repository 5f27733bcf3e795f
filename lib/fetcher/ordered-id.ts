// Row ids for the hot path's inserts, in the order they are made (UUIDv7, RFC 9562: milliseconds, then a
// counter, then random bits): each batch's rows land at the end of the primary-key and foreign-key indexes
// instead of on random pages across them, so a commit writes (and syncs) fewer pages.
import { randomFillSync } from "node:crypto";

let lastMs = 0;
let counter = 0;
const random = Buffer.alloc(4096);
let offset = random.length;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
let prefixMs = -1;
let prefix = "";

/** The pool of random bytes, 10 of them fresh at `offset - 10` once this returns. */
function randomBytes10(): Buffer {
  if (offset + 10 > random.length) {
    randomFillSync(random);
    offset = 0;
  }
  offset += 10;
  return random;
}

/** A new id, greater than every earlier one of this process (the clock going back does not reorder them). */
export function orderedId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    // 12 bits of counter per millisecond; beyond that, borrow the next millisecond.
    if (counter > 0xfff) {
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = ms;
    counter = 0;
  }
  const r = randomBytes10();
  const o = offset - 10;
  if (ms !== prefixMs) {
    const hex = ms.toString(16).padStart(12, "0");
    prefix = `${hex.slice(0, 8)}-${hex.slice(8)}-`;
    prefixMs = ms;
  }
  // Three ids a mail: byte by byte from a table, not through Buffer#toString and padStart.
  return (
    prefix +
    (0x7000 | counter).toString(16) +
    "-" +
    HEX[(r[o] & 0x3f) | 0x80] +
    HEX[r[o + 1]] +
    "-" +
    HEX[r[o + 2]] +
    HEX[r[o + 3]] +
    HEX[r[o + 4]] +
    HEX[r[o + 5]] +
    HEX[r[o + 6]] +
    HEX[r[o + 7]]
  );
}
