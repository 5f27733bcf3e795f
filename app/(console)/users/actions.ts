"use server";
import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/actions";
import { UserFacingError } from "@/lib/errors";
import {
  addUser,
  addUserSchema,
  changeRole,
  changeRoleSchema,
  resetPassword,
  resetPasswordSchema,
  setDisabled,
  setDisabledSchema,
} from "@/lib/users";

export const addUserAction = defineAction(
  { schema: addUserSchema, role: "admin", name: "users.add" },
  async (input) => {
    await addUser(input);
    revalidatePath("/users");
  },
);

export const changeRoleAction = defineAction(
  { schema: changeRoleSchema, role: "admin", name: "users.role" },
  async (input) => {
    await changeRole(input.userId, input.role);
    revalidatePath("/users");
  },
);

export const setDisabledAction = defineAction(
  { schema: setDisabledSchema, role: "admin", name: "users.disable" },
  async (input, { user }) => {
    if (input.userId === user.id && input.disabled) throw new UserFacingError("You cannot disable your own account.");
    await setDisabled(input.userId, input.disabled);
    revalidatePath("/users");
  },
);

export const resetPasswordAction = defineAction(
  { schema: resetPasswordSchema, role: "admin", name: "users.reset" },
  async (input) => {
    await resetPassword(input.userId, input.password);
    revalidatePath("/users");
  },
);
