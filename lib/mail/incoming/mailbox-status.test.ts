import { describe, expect, it } from "vitest";
import { mailboxStatus, needsAttention } from "./mailbox-status";

describe("mailboxStatus", () => {
  it("a connection that needs consent again outranks a mailbox that last connected fine", () => {
    expect(mailboxStatus({ status: "ok", connection: { status: "reconnect_needed" } })).toBe("reconnect_needed");
    expect(needsAttention(mailboxStatus({ status: "ok", connection: { status: "reconnect_needed" } }))).toBe(true);
  });

  it("otherwise the mailbox's own status; unknown values count as not verified", () => {
    expect(mailboxStatus({ status: "ok", connection: { status: "connected" } })).toBe("ok");
    expect(mailboxStatus({ status: "failing" })).toBe("failing");
    expect(mailboxStatus({ status: "something else" })).toBe("new");
    expect(needsAttention("ok")).toBe(false);
  });
});
