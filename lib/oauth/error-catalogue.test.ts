import { describe, expect, it } from "vitest";
import { explainOAuthError, isGrantGone } from "./error-catalogue";
import { GUIDE_ANCHORS } from "./guide-anchors";

describe("OAuth error catalogue", () => {
  it.each([
    [
      {
        error: "invalid_client",
        error_description: "AADSTS7000215: Invalid client secret provided.",
        error_codes: [7000215],
      },
      "AADSTS7000215",
    ],
    [
      { error: "invalid_grant", error_description: "AADSTS65001: The user or administrator has not consented" },
      "AADSTS65001",
    ],
    [
      { error: "invalid_grant", error_description: "AADSTS700082: The refresh token has expired due to inactivity." },
      "AADSTS700082",
    ],
    [
      {
        error: "invalid_request",
        error_description: "AADSTS50011: The redirect URI does not match",
        error_codes: [50011],
      },
      "AADSTS50011",
    ],
    [{ error: "invalid_grant", error_description: "Token has been expired or revoked." }, "google.invalid_grant"],
    [{ error: "access_denied" }, "access_denied"],
    ["534-5.7.9 Application-specific password required", "google.534-5.7.9"],
  ])("%o → %s", (input, code) => {
    const hint = explainOAuthError(input);
    expect(hint?.code).toBe(code);
    expect(hint?.action.length).toBeGreaterThan(20);
  });

  it("returns null for unknown errors so the raw text is shown", () => {
    expect(explainOAuthError({ error: "weird_error", error_description: "something" })).toBeNull();
  });

  it("knows which errors mean the grant is gone", () => {
    expect(isGrantGone({ error: "invalid_grant" })).toBe(true);
    expect(isGrantGone({ error: "invalid_client", error_codes: [7000215] })).toBe(false);
    expect(isGrantGone({ error: "interaction_required", error_description: "AADSTS50173: grant revoked" })).toBe(true);
  });

  it("AADSTS65001 links to the admin-consent step of the setup guide", () => {
    expect(
      explainOAuthError({
        error: "invalid_grant",
        error_description: "AADSTS65001: The user or administrator has not consented",
      })?.guideStep,
    ).toBe(GUIDE_ANCHORS.adminConsent);
    expect(explainOAuthError({ error: "access_denied" })?.guideStep).toBeUndefined();
  });
});
