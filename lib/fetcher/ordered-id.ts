// Row ids for the hot path's inserts, in the order they are made (UUIDv7, RFC 9562: milliseconds, then a
// counter, then random bits): each batch's rows land at the end of the primary-key and foreign-key indexes
// instead of on random pages across them, so a commit writes (and syncs) fewer pages.
import { randomFillSync } from "node:crypto";

let lastMs = 0;
let counter = 0;
const random = Buffer.alloc(4096);
let offset = random.length;

function randomBytes10(): Buffer {
  if (offset + 10 > random.length) {
    randomFillSync(random);
    offset = 0;
  }
  offset += 10;
  return random.subarray(offset - 10, offset);
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
  const rand = randomBytes10();
  const hex = ms.toString(16).padStart(12, "0");
  const a = (0x7000 | counter).toString(16);
  const b = ((rand[0] & 0x3f) | 0x80).toString(16).padStart(2, "0") + rand[1].toString(16).padStart(2, "0");
  const rest = rand.subarray(2, 8).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8)}-${a}-${b}-${rest}`;
}
