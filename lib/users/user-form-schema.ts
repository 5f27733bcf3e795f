import { z } from "zod";

const email = z.string().trim().toLowerCase().email("Enter a valid email address");
const password = z.string().min(12, "Use at least 12 characters").max(200, "Use at most 200 characters");
export const roleSchema = z.enum(["admin", "viewer"]);

export const firstAdminSchema = z
  .object({ name: z.string().trim().max(100).default(""), email, password, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords differ" });

export const signInSchema = z.object({ email, password: z.string().min(1, "Enter your password") });

export const addUserSchema = z.object({
  name: z.string().trim().max(100).default(""),
  email,
  password,
  role: roleSchema,
});
export const changeRoleSchema = z.object({ userId: z.string().min(1), role: roleSchema });
export const setDisabledSchema = z.object({ userId: z.string().min(1), disabled: z.boolean() });
export const resetPasswordSchema = z.object({ userId: z.string().min(1), password });

export type FirstAdminInput = z.input<typeof firstAdminSchema>;
export type AddUserInput = z.input<typeof addUserSchema>;
