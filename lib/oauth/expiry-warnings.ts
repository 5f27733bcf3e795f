// What is about to stop working, in time for an administrator to act: the client secret's end date, a Google
// "Testing" app's 7-day refresh token, and refresh tokens left unused close to the provider's inactivity limit.
const DAY = 24 * 60 * 60 * 1000;
const SECRET_WARN_DAYS = 30;
const INACTIVITY: Record<"microsoft" | "google", { limitDays: number; warnDays: number; label: string }> = {
  microsoft: { limitDays: 90, warnDays: 14, label: "Microsoft ends refresh tokens unused for 90 days" },
  google: { limitDays: 182, warnDays: 30, label: "Google ends refresh tokens unused for 6 months" },
};

export type ExpiryWarning = {
  kind: "secret_expiry" | "testing_app" | "refresh_inactivity" | "reconnect_needed";
  severity: "warn" | "error";
  message: string;
  due: Date;
};

export type ExpiryInput = {
  application: { name: string; preset: string; secretExpiresOn: Date | null };
  connection?: {
    grantType: string;
    status: string;
    refreshTokenIssuedAt: Date | null;
    refreshTokenExpiresAt: Date | null;
    refreshTokenLastUsedAt: Date | null;
  };
};

const day = (d: Date) => d.toISOString().slice(0, 10);

export function expiryWarnings(input: ExpiryInput, now = new Date()): ExpiryWarning[] {
  const out: ExpiryWarning[] = [];
  const { application: app, connection: conn } = input;
  if (app.secretExpiresOn) {
    const left = app.secretExpiresOn.getTime() - now.getTime();
    if (left <= 0) {
      out.push({
        kind: "secret_expiry",
        severity: "error",
        due: app.secretExpiresOn,
        message: `The client secret of ${app.name} expired on ${day(app.secretExpiresOn)}. Create a new secret at the provider and enter it here.`,
      });
    } else if (left <= SECRET_WARN_DAYS * DAY) {
      out.push({
        kind: "secret_expiry",
        severity: "warn",
        due: app.secretExpiresOn,
        message: `The client secret of ${app.name} expires on ${day(app.secretExpiresOn)} (in ${Math.ceil(left / DAY)} days). Create a new secret and enter it before then.`,
      });
    }
  }
  if (!conn || conn.status === "reconnect_needed") return out;
  if (conn.refreshTokenExpiresAt) {
    const expired = conn.refreshTokenExpiresAt.getTime() <= now.getTime();
    out.push({
      kind: "testing_app",
      severity: expired ? "error" : "warn",
      due: conn.refreshTokenExpiresAt,
      message: `The refresh token ${expired ? "expired" : "expires"} on ${day(conn.refreshTokenExpiresAt)}: the Google app is in "Testing", which limits refresh tokens to 7 days. Publish the app ("In production") in the Google Cloud console, then Reconnect.`,
    });
  }
  const family = app.preset.startsWith("microsoft") ? "microsoft" : app.preset.startsWith("google") ? "google" : null;
  const lastUse = conn.refreshTokenLastUsedAt ?? conn.refreshTokenIssuedAt;
  if (family && lastUse && conn.grantType === "authorization_code") {
    const rule = INACTIVITY[family];
    const due = new Date(lastUse.getTime() + rule.limitDays * DAY);
    if (due.getTime() - now.getTime() <= rule.warnDays * DAY) {
      out.push({
        kind: "refresh_inactivity",
        severity: due <= now ? "error" : "warn",
        due,
        message: `The refresh token was last used on ${day(lastUse)}. ${rule.label}: it stops working around ${day(due)}. Fetching mail keeps it alive; otherwise Reconnect.`,
      });
    }
  }
  return out;
}
