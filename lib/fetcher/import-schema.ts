// The "Import existing mail" form's schema, shared by the form (client) and its action.
import { z } from "zod";

export const importSinceSchema = z.object({
  id: z.string().min(1),
  since: z.coerce
    .date({ error: "Enter the date to import mail from." })
    .refine(
      (d) => d.getTime() <= Date.now(),
      "The date lies in the future: only mail already in the mailbox can be imported.",
    )
    .refine((d) => d.getFullYear() >= 1990, "Enter a date after 1990."),
});
export type ImportSinceInput = z.input<typeof importSinceSchema>;
