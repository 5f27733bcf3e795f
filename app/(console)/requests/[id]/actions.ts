"use server";
import { defineAction } from "@/lib/actions";
import { sendReply } from "@/lib/requests";
import { replySchema } from "@/lib/requests/client";

/** Administrators only: the reply is written to the outbox here and sent by the outbox worker. */
export const sendReplyAction = defineAction(
  { schema: replySchema, role: "admin", name: "requests.reply" },
  (input, { user }) => sendReply(input, user.id),
);
