import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { addUser } from "@/lib/users";
import { checkCredentials } from "./credentials-check";
import { signInDelay } from "./login-throttle";

const PASSWORD = "the-admins-long-password";

// Same behaviour on both databases: the counting must hold under concurrency on each.
describe.each([
  ["SQLite", async () => useTestDatabase()],
  ["PostgreSQL", async () => useTestDatabase({ databaseUrl: await createPostgresDatabase() })],
])("sign-in throttle on %s", (_name, setup) => {
  let email = "";
  let n = 0;
  beforeAll(setup);
  afterAll(async () => {
    await db().$disconnect();
  });

  const newAdmin = async () => {
    email = `admin${++n}@mailbridge.test`;
    await addUser({ name: "Admin", email, password: PASSWORD, role: "admin" });
    return email;
  };

  it("an attacker's failures do not lock the admin out at another address", async () => {
    const admin = await newAdmin();
    for (let i = 0; i < 12; i++) await checkCredentials(admin, `guess-${i}`, "198.51.100.7");
    expect(await signInDelay(admin, "198.51.100.7")).toBeGreaterThan(0);
    const outcome = await checkCredentials(admin, PASSWORD, "192.0.2.10");
    expect(outcome.ok).toBe(true);
    expect(await signInDelay(admin, "192.0.2.10")).toBe(0);
  });

  it("the delay grows with each failure, and a correct password within the free tries starts over", async () => {
    const admin = await newAdmin();
    const address = "198.51.100.8";
    for (let i = 0; i < 4; i++)
      expect(await checkCredentials(admin, "wrong", address)).toEqual({ ok: false, reason: "wrong" });
    expect(await signInDelay(admin, address)).toBe(0);
    expect((await checkCredentials(admin, PASSWORD, address)).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect((await checkCredentials(admin, "wrong", address)).ok).toBe(false);
    const first = await signInDelay(admin, address);
    expect(first).toBeGreaterThan(0);
    // while the delay runs even the right password is not checked
    const refused = await checkCredentials(admin, PASSWORD, address);
    expect(refused).toMatchObject({ ok: false, reason: "throttled" });
    await db().loginThrottle.updateMany({
      where: { key: { startsWith: "pair:" + admin } },
      data: { blockedUntil: new Date(Date.now() - 1) },
    });
    expect(await checkCredentials(admin, "wrong", address)).toEqual({ ok: false, reason: "wrong" });
    expect(await signInDelay(admin, address)).toBeGreaterThan(first);
  });

  it("a concurrent burst of 40 tries gets at most 5 password checks", async () => {
    const admin = await newAdmin();
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? PASSWORD : `guess-${i}`));
    const outcomes = await Promise.all(guesses.map((g) => checkCredentials(admin, g, "198.51.100.9")));
    const checked = outcomes.filter((o) => o.ok || o.reason === "wrong").length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(outcomes.filter((o) => !o.ok && o.reason === "throttled").length).toBeGreaterThanOrEqual(35);
  });

  it("one address failing across many accounts hits the per-address ceiling, other addresses do not", async () => {
    const address = "198.51.100.10";
    for (let i = 0; i < 50; i++) await checkCredentials(`nobody${i}@mailbridge.test`, "wrong", address);
    expect(await checkCredentials("someone-else@mailbridge.test", "wrong", address)).toMatchObject({
      reason: "throttled",
    });
    const admin = await newAdmin();
    expect((await checkCredentials(admin, PASSWORD, "192.0.2.11")).ok).toBe(true);
  });
});
