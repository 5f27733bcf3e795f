// The account choice in the authorize request, per provider and per what a generic server says it supports.
import { describe, expect, it } from "vitest";
import { promptFor } from "./prompt";

describe("promptFor", () => {
  it("Microsoft shows its account picker; 'someone else' asks for a sign-in", () => {
    expect(promptFor("microsoft", null, false)).toBe("select_account");
    expect(promptFor("microsoft", null, true)).toBe("login");
    expect(promptFor("microsoft", "admin_consent", false)).toBe("admin_consent");
  });

  it("Google needs consent (for a refresh token) and the account picker", () => {
    expect(promptFor("google", null, false)).toBe("consent select_account");
  });

  it("a generic server gets what its metadata lists, nothing when unknown, login when asked for someone else", () => {
    expect(promptFor("generic", null, false)).toBeNull();
    expect(promptFor("generic", null, false, ["none", "login", "consent"])).toBe("login");
    expect(promptFor("generic", null, false, ["login", "select_account"])).toBe("select_account");
    expect(promptFor("generic", "consent", false, ["consent"])).toBe("consent");
    expect(promptFor("generic", "none", true)).toBe("login");
  });
});
