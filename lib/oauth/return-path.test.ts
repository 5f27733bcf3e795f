// The consent flow's return path: only paths of this console, whatever the browser would make of the rest.
import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

const PUBLIC = "https://console.example.test";

describe("safeReturnPath", () => {
  it("keeps a path of the console with its query", () => {
    expect(safeReturnPath("/incoming/abc?tab=1#x", PUBLIC)).toBe("/incoming/abc?tab=1#x");
    expect(safeReturnPath("/oauth/../incoming", PUBLIC)).toBe("/incoming");
  });

  it.each([
    ["/\\evil.example/x"],
    ["/\t/evil.example/"],
    ["//evil.example/"],
    ["/\\/evil.example"],
    ["https://evil.example/"],
    ["javascript:alert(1)"],
    ["/\nevil"],
    ["/.//evil.example/"],
    [""],
    [null],
  ])("refuses %j", (raw) => {
    const path = safeReturnPath(raw, PUBLIC);
    expect(path).toBe("/oauth");
    expect(new URL(path, PUBLIC).origin).toBe(PUBLIC);
  });
});
