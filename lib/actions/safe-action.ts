import "server-only";
import type { z } from "zod";
import { AccessDenied, requireUser, type Role, type SessionUser } from "@/lib/auth";
import { UserFacingError, type Hint } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/forms";
import { logUnexpected } from "@/lib/log";
import { databaseRefusal } from "./database-errors";

export type ActionResult<T> =
  { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string>; hint?: Hint; raw?: string };

/**
 * Every server action goes through here: the signed-in user and role are checked on the server, the
 * input is validated by the same zod schema the form uses, and only known errors reach the browser.
 */
export function defineAction<S extends z.ZodType, T>(
  options: { schema: S; role: Role; name: string },
  handler: (input: z.output<S>, ctx: { user: SessionUser }) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      const user = await requireUser(options.role);
      const parsed = options.schema.safeParse(input);
      if (!parsed.success)
        return { ok: false, error: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
      return { ok: true, data: await handler(parsed.data, { user }) };
    } catch (error) {
      if (error instanceof AccessDenied) return { ok: false, error: error.message };
      if (error instanceof UserFacingError) {
        const { field, fieldErrors, hint, raw } = error.options;
        const fields = fieldErrors ?? (field ? { [field]: error.message } : undefined);
        return { ok: false, error: error.message, fieldErrors: fields, hint, raw };
      }
      const refusal = databaseRefusal(error);
      if (refusal) return { ok: false, error: refusal };
      // Next's redirect()/notFound() signal by throwing: let them through.
      if (
        error &&
        typeof error === "object" &&
        "digest" in error &&
        String((error as { digest: unknown }).digest).startsWith("NEXT_")
      )
        throw error;
      const id = logUnexpected(`action ${options.name}`, error);
      return { ok: false, error: `Something went wrong. The error was logged with id ${id}.` };
    }
  };
}
