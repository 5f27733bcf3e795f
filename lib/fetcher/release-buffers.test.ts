import { describe, expect, it } from "vitest";
import { releaseBuffers } from "./release-buffers";

describe("releaseBuffers", () => {
  it("hands over the memory of a buffer that owns its whole ArrayBuffer, which then reads as empty", () => {
    const raw = Buffer.concat([Buffer.alloc(20_000, 1), Buffer.alloc(20_000, 2)]);
    expect(raw.buffer.byteLength).toBe(40_000);
    expect(releaseBuffers([raw])).toBe(1);
    expect(raw.length).toBe(0);
    expect(raw.buffer.byteLength).toBe(0);
  });

  it("leaves a view into a larger buffer, and everything else in that buffer, untouched", () => {
    const whole = Buffer.alloc(50_000, 7);
    const view = whole.subarray(10_000, 30_000);
    expect(releaseBuffers([view])).toBe(0);
    expect(view.length).toBe(20_000);
    expect(whole[49_999]).toBe(7);
  });

  it("leaves small buffers from Node's shared pool (and their neighbours) untouched", () => {
    const small = Buffer.from("a small message");
    const neighbour = Buffer.from("its neighbour in the pool");
    expect(small.buffer).toBe(neighbour.buffer);
    expect(releaseBuffers([small, neighbour])).toBe(0);
    expect(small.toString()).toBe("a small message");
    expect(neighbour.toString()).toBe("its neighbour in the pool");
  });

  it("goes on past a buffer it cannot release", () => {
    const empty = Buffer.alloc(0);
    const owned = Buffer.allocUnsafeSlow(10_000).fill(3);
    expect(releaseBuffers([empty, owned])).toBe(1);
    expect(owned.length).toBe(0);
  });
});
