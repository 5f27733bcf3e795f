import { z } from "zod";

/** A reply written on a request's page: plain text. The submission id makes a double submit send one mail. */
export const replySchema = z.object({
  requestId: z.string().min(1).max(64),
  submissionId: z.string().uuid(),
  text: z
    .string()
    .trim()
    .min(1, "Write the reply.")
    .max(100_000, "The reply is too long (at most 100,000 characters)."),
});

export type ReplyInput = z.infer<typeof replySchema>;
