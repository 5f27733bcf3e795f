import type { z } from "zod";

/** Zod issues → one message per field path ("oauth.clientId"); used by forms and server actions alike. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[issue.path.join(".") || "_form"] ??= issue.message;
  return out;
}
