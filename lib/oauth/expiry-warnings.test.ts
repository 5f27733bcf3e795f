import { describe, expect, it } from "vitest";
import { expiryWarnings } from "./expiry-warnings";

const NOW = new Date("2026-11-23T12:00:00Z");
const days = (n: number) => new Date(NOW.getTime() + n * 24 * 60 * 60 * 1000);
const app = (preset: string, secretExpiresOn: Date | null = null) => ({ name: "Contoso app", preset, secretExpiresOn });
const conn = (over: Partial<NonNullable<Parameters<typeof expiryWarnings>[0]["connection"]>> = {}) => ({
  grantType: "authorization_code",
  status: "connected",
  refreshTokenIssuedAt: days(-1),
  refreshTokenExpiresAt: null,
  refreshTokenLastUsedAt: null,
  ...over,
});

describe("expiry warnings", () => {
  it("warns 30 days ahead of the client secret's end and errors after it", () => {
    expect(expiryWarnings({ application: app("microsoft", days(45)) }, NOW)).toEqual([]);
    const soon = expiryWarnings({ application: app("microsoft", days(10)) }, NOW);
    expect(soon).toMatchObject([{ kind: "secret_expiry", severity: "warn" }]);
    expect(soon[0].message).toContain("in 10 days");
    expect(expiryWarnings({ application: app("microsoft", days(-1)) }, NOW)).toMatchObject([
      { kind: "secret_expiry", severity: "error" },
    ]);
  });

  it("flags a Google Testing app's 7-day refresh token", () => {
    const w = expiryWarnings({ application: app("google"), connection: conn({ refreshTokenExpiresAt: days(6) }) }, NOW);
    expect(w).toMatchObject([{ kind: "testing_app", severity: "warn" }]);
    expect(w[0].message).toContain("In production");
  });

  it("warns when a Microsoft refresh token nears 90 days without use, Google near 6 months", () => {
    expect(
      expiryWarnings({ application: app("microsoft"), connection: conn({ refreshTokenLastUsedAt: days(-60) }) }, NOW),
    ).toEqual([]);
    expect(
      expiryWarnings({ application: app("microsoft"), connection: conn({ refreshTokenLastUsedAt: days(-80) }) }, NOW),
    ).toMatchObject([{ kind: "refresh_inactivity", severity: "warn" }]);
    expect(
      expiryWarnings({ application: app("microsoft"), connection: conn({ refreshTokenLastUsedAt: days(-95) }) }, NOW),
    ).toMatchObject([{ kind: "refresh_inactivity", severity: "error" }]);
    expect(
      expiryWarnings({ application: app("google"), connection: conn({ refreshTokenLastUsedAt: days(-100) }) }, NOW),
    ).toEqual([]);
    expect(
      expiryWarnings({ application: app("google"), connection: conn({ refreshTokenLastUsedAt: days(-160) }) }, NOW),
    ).toMatchObject([{ kind: "refresh_inactivity" }]);
    // generic providers publish no inactivity limit
    expect(
      expiryWarnings({ application: app("generic"), connection: conn({ refreshTokenLastUsedAt: days(-400) }) }, NOW),
    ).toEqual([]);
  });

  it("says nothing more about a connection that already needs reconnecting", () => {
    expect(
      expiryWarnings(
        {
          application: app("microsoft"),
          connection: conn({ status: "reconnect_needed", refreshTokenLastUsedAt: days(-95) }),
        },
        NOW,
      ),
    ).toEqual([]);
  });
});
