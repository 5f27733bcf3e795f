// Ids of the hot path's rows sort in the order they were made, and are well-formed UUIDv7.
import { describe, expect, it } from "vitest";
import { orderedId } from "./ordered-id";

describe("orderedId", () => {
  it("makes UUIDv7 ids that sort in creation order, also many within one millisecond", () => {
    const ids = Array.from({ length: 20_000 }, () => orderedId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("carries the time it was made", () => {
    const before = Date.now();
    const id = orderedId();
    const ms = parseInt(id.replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThan(before + 60_000);
  });
});
