import "server-only";
import { hashPassword } from "@/lib/crypto";
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";
import { forgetSessionUser } from "./session-user";

export type UserRow = {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
};
const publicColumns = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  lastLoginAt: true,
  createdAt: true,
} as const;

export async function hasAnyAdmin(): Promise<boolean> {
  return (await db().user.count({ where: { role: "admin" } })) > 0;
}

/** First-run setup: only while no administrator exists; the check and insert run in one transaction. */
export async function createFirstAdmin(input: { name: string; email: string; password: string }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await db().$transaction(async (tx) => {
    if ((await tx.user.count({ where: { role: "admin" } })) > 0) {
      throw new UserFacingError("An administrator already exists. Sign in instead.");
    }
    await tx.user.create({ data: { email: input.email, name: input.name, passwordHash, role: "admin" } });
  });
}

export async function listUsers(): Promise<UserRow[]> {
  return db().user.findMany({ select: publicColumns, orderBy: { createdAt: "asc" } });
}

export async function addUser(input: {
  name: string;
  email: string;
  password: string;
  role: "admin" | "viewer";
}): Promise<void> {
  if (await db().user.findUnique({ where: { email: input.email } })) {
    throw new UserFacingError("A user with this email address already exists.", { field: "email" });
  }
  await db().user.create({
    data: { email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(input.password) },
  });
}

async function assertNotLastAdmin(userId: string): Promise<void> {
  const admins = await db().user.findMany({ where: { role: "admin", disabled: false }, select: { id: true } });
  if (admins.length === 1 && admins[0].id === userId) {
    throw new UserFacingError("This is the only active administrator: add another administrator first.");
  }
}

export async function changeRole(userId: string, role: "admin" | "viewer"): Promise<void> {
  if (role !== "admin") await assertNotLastAdmin(userId);
  await db().user.update({ where: { id: userId }, data: { role, sessionVersion: { increment: 1 } } });
  forgetSessionUser(userId);
}

export async function setDisabled(userId: string, disabled: boolean): Promise<void> {
  if (disabled) await assertNotLastAdmin(userId);
  await db().user.update({ where: { id: userId }, data: { disabled, sessionVersion: { increment: 1 } } });
  forgetSessionUser(userId);
}

export async function resetPassword(userId: string, password: string): Promise<void> {
  await db().user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(password), sessionVersion: { increment: 1 } },
  });
  forgetSessionUser(userId);
}

/** Invalidates every session of the user (they are checked against this version on each request). */
export async function endSessions(userId: string): Promise<void> {
  await db().user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
  forgetSessionUser(userId);
}
