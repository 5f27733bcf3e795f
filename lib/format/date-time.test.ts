import { describe, expect, it } from "vitest";
import { formatDateTime } from "./index";

describe("formatDateTime", () => {
  it("writes every date one way, in UTC", () => {
    expect(formatDateTime(new Date("2026-12-01T20:26:12.345Z"))).toBe("2026-12-01 20:26 UTC");
    expect(formatDateTime("2026-12-01T20:26:12.345Z", { seconds: true })).toBe("2026-12-01 20:26:12 UTC");
    expect(formatDateTime(Date.UTC(2026, 0, 2, 3, 4))).toBe("2026-01-02 03:04 UTC");
  });

  it("shows a dash for no date or an invalid one", () => {
    for (const value of [null, undefined, "", "not a date"]) expect(formatDateTime(value)).toBe("—");
  });
});
