import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { addUser } from "@/lib/users";
import { checkCredentials } from "./credentials-check";
import { claimSignInAttempt, signInDelay, signInSucceeded } from "./login-throttle";

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

  it("a concurrent burst of 40 tries gets at most 5 password checks, and the right password is refused after it", async () => {
    const admin = await newAdmin();
    const guesses = Array.from({ length: 40 }, (_, i) => `guess-${i}`);
    const outcomes = await Promise.all(guesses.map((g) => checkCredentials(admin, g, "198.51.100.9")));
    const checked = outcomes.filter((o) => o.ok || o.reason === "wrong").length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(outcomes.filter((o) => !o.ok && o.reason === "throttled").length).toBeGreaterThanOrEqual(35);
    expect(await checkCredentials(admin, PASSWORD, "198.51.100.9")).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("a correct password forgives the tries before it, not those counted while it was checked", async () => {
    const admin = await newAdmin();
    const address = "198.51.100.12";
    const right = await claimSignInAttempt(admin, address);
    // Tries of the same burst, counted while the right password's hash is being checked.
    for (let i = 0; i < 3; i++) expect((await claimSignInAttempt(admin, address)).allowed).toBe(true);
    if (!right.allowed) throw new Error("the first try was refused");
    await signInSucceeded(admin, address, right.pair);
    const row = await db().loginThrottle.findUnique({ where: { key: `pair:${admin}|${address}` } });
    expect(row?.failures).toBe(4);
    // Two more tries reach the five free ones: the burst gets no fresh free tries from the success.
    expect((await claimSignInAttempt(admin, address)).allowed).toBe(true);
    expect(await signInDelay(admin, address)).toBeGreaterThan(0);
    expect((await claimSignInAttempt(admin, address)).allowed).toBe(false);
    // With nothing counted after it, a success starts the counter over.
    const other = "198.51.100.13";
    const alone = await claimSignInAttempt(admin, other);
    if (!alone.allowed) throw new Error("the try was refused");
    await signInSucceeded(admin, other, alone.pair);
    expect(await db().loginThrottle.findUnique({ where: { key: `pair:${admin}|${other}` } })).toBeNull();
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
