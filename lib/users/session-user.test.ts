// The session user row is remembered for a few seconds, and forgotten by every change to the user.
import { beforeAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { rememberedSessionUser, rememberSessionUser } from "./session-user";

let users: typeof import("@/lib/users");
let database: typeof import("@/lib/db");

beforeAll(async () => {
  await useTestDatabase();
  users = await import("@/lib/users");
  database = await import("@/lib/db");
});

const rowOf = (id: string) =>
  database.db().user.findUniqueOrThrow({
    where: { id },
    select: { id: true, email: true, name: true, role: true, disabled: true, sessionVersion: true },
  });

it("is remembered for a few seconds, then read again", async () => {
  const user = await database.db().user.create({ data: { email: "ttl@example.test", passwordHash: "x" } });
  const now = Date.now();
  rememberSessionUser(user.id, await rowOf(user.id), now);
  expect(rememberedSessionUser(user.id, now + 1000)?.email).toBe("ttl@example.test");
  expect(rememberedSessionUser(user.id, now + 10_000)).toBeUndefined();
});

it("is forgotten when the user is disabled, changes role, gets a new password or has their sessions ended", async () => {
  await database.db().user.create({ data: { email: "keeper@example.test", passwordHash: "x", role: "admin" } });
  const user = await database.db().user.create({
    data: { email: "changed@example.test", passwordHash: "x", role: "admin" },
  });
  for (const change of [
    () => users.changeRole(user.id, "viewer"),
    () => users.setDisabled(user.id, true),
    () => users.resetPassword(user.id, "A-new-password-1"),
    () => users.endSessions(user.id),
  ]) {
    rememberSessionUser(user.id, await rowOf(user.id));
    expect(rememberedSessionUser(user.id)).toBeTruthy();
    await change();
    expect(rememberedSessionUser(user.id)).toBeUndefined();
  }
});
