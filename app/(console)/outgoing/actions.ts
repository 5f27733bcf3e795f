"use server";
import { z } from "zod";
import { defineAction } from "@/lib/actions";
import {
  cancelOutboxMessage,
  retryOutboxMessage,
  saveOutgoing,
  sendTestMail,
  verifyOutgoing,
} from "@/lib/mail/outgoing";
import { outboxIdSchema, outgoingFormSchema, testMailSchema } from "@/lib/mail/outgoing/client";

export const saveOutgoingAction = defineAction(
  { schema: outgoingFormSchema, role: "admin", name: "outgoing.save" },
  (input, { user }) => saveOutgoing(input, user.id),
);

/** Connects and authenticates for real (no mail); only its success is reported as "Connected". */
export const verifyOutgoingAction = defineAction(
  { schema: z.object({}), role: "admin", name: "outgoing.verify" },
  (_input, { user }) => verifyOutgoing(user.id),
);

export const sendTestMailAction = defineAction(
  { schema: testMailSchema, role: "admin", name: "outgoing.test" },
  ({ to }, { user }) => sendTestMail(to, user.id),
);

export const retryOutboxAction = defineAction(
  { schema: outboxIdSchema, role: "admin", name: "outbox.retry" },
  ({ id }) => retryOutboxMessage(id),
);

export const cancelOutboxAction = defineAction(
  { schema: outboxIdSchema, role: "admin", name: "outbox.cancel" },
  ({ id }) => cancelOutboxMessage(id),
);
